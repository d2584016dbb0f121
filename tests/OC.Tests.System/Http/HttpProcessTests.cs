using OC.Tests.EndToEnd;
using OC.Tests.Integration;

namespace OC.Tests.Http;

/// <summary>The status page of `oc-appliance` as a process: under ./test.sh the AOT binary, where reflection JSON would fail.</summary>
public class HttpProcessTests
{
    [Fact]
    public async Task The_process_serves_every_endpoint()
    {
        var data = TempDirectory.Create("oc-http-proc");
        try
        {
            using var appliance = new ApplianceProcess(data);
            await using var connection = await appliance.ConnectAsync();
            await TestUsers.RegisterAsync(connection, "process", "pw");

            int port = Assert.NotNull(appliance.HttpPort);
            using var http = StatusClient.Create(port);
            var status = await StatusClient.GetStatusAsync(http);
            Assert.Equal("process-test", status.GetProperty("name").GetString());
            Assert.Equal(1, status.GetProperty("users_registered").GetInt64());
            Assert.Equal(1, status.GetProperty("connections").GetInt32());

            var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
            Assert.Equal(1, Assert.Single(samples, s => s.Name == "oc_users_registered").Value);
            Assert.Equal("ok\n", await http.GetStringAsync(new Uri("healthz", UriKind.Relative)));
            Assert.Contains("process-test", await http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);

            Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public void No_http_listens_on_no_http_port()
    {
        var data = TempDirectory.Create("oc-http-off");
        try
        {
            using var appliance = new ApplianceProcess(data, "--no-http");
            Assert.Null(appliance.HttpPort);
            Assert.Contains("http off", appliance.Log, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}
