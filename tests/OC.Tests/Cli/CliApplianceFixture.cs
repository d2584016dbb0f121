using System.Net;
using OC.Appliance;

namespace OC.Tests.Cli;

/// <summary>A real appliance on 127.0.0.1 with a free port and its own data folder, shared by one test class.</summary>
public sealed class CliApplianceFixture : IDisposable
{
    private readonly TempFolder _data = new();
    private readonly ApplianceServer _server;
    private readonly Thread _loop;

    public CliApplianceFixture()
    {
        _server = new ApplianceServer(new ApplianceOptions
        {
            DataDirectory = _data.Path,
            Port = 0,
            BindAddress = IPAddress.Loopback,
            Name = "cli-tests",
        });
        _loop = new Thread(_server.Run) { IsBackground = true, Name = "appliance loop (cli tests)" };
        _loop.Start();
        Server = $"127.0.0.1:{_server.ProtocolEndPoint.Port}";
    }

    /// <summary>The address to pass as <c>--server</c>.</summary>
    public string Server { get; }

    public void Dispose()
    {
        _server.Stop();
        if (!_server.WaitForStop(TimeSpan.FromSeconds(10))) throw new TimeoutException("the appliance did not stop within 10 s");
        _server.Dispose();
        _data.Dispose();
    }
}
