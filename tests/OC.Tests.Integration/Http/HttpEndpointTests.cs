using System.Net;
using System.Text.Json;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;
using OC.Tests.Integration;

namespace OC.Tests.Http;

/// <summary>The status page's endpoints, from the real appliance over real sockets.</summary>
public abstract class HttpEndpointTests(string poller)
{
    protected string Poller { get; } = poller;

    [Theory]
    [InlineData("/", "text/html; charset=utf-8")]
    [InlineData("/api/status", "application/json; charset=utf-8")]
    [InlineData("/metrics", "text/plain; version=0.0.4; charset=utf-8")]
    [InlineData("/healthz", "text/plain; charset=utf-8")]
    public async Task Each_endpoint_answers_200_with_its_content_type(string path, string contentType)
    {
        using var appliance = new TestAppliance(Poller);
        var response = await RawHttp.ExchangeAsync(appliance.HttpPort, $"GET {path} HTTP/1.1\r\nHost: oc\r\n\r\n");
        Assert.Equal(200, response.Status);
        Assert.Equal(contentType, response.Headers["content-type"]);
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers["content-length"]);
        Assert.Equal("close", response.Headers["connection"]);
        Assert.Equal("no-store", response.Headers["cache-control"]);
        Assert.NotEmpty(response.Body);
    }

    [Fact]
    public async Task Healthz_says_ok()
    {
        using var appliance = new TestAppliance(Poller);
        using var http = StatusClient.Create(appliance.HttpPort);
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri("healthz", UriKind.Relative)));
    }

    [Fact]
    public async Task An_unknown_path_is_404()
    {
        using var appliance = new TestAppliance(Poller);
        using var http = StatusClient.Create(appliance.HttpPort);
        using var response = await http.GetAsync(new Uri("nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Post_gets_405_with_an_allow_header()
    {
        using var appliance = new TestAppliance(Poller);
        using var http = StatusClient.Create(appliance.HttpPort);
        using var content = new StringContent("{\"users_registered\": 1000}");
        using var response = await http.PostAsync(new Uri("api/status", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Other_methods_get_405(string method)
    {
        using var appliance = new TestAppliance(Poller);
        var response = await RawHttp.ExchangeAsync(appliance.HttpPort, $"{method} / HTTP/1.1\r\nHost: oc\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Headers["allow"]);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/status")]
    [InlineData("/metrics")]
    [InlineData("/healthz")]
    public async Task Head_has_the_headers_of_get_and_no_body(string path)
    {
        using var appliance = new TestAppliance(Poller);
        var get = await RawHttp.ExchangeAsync(appliance.HttpPort, $"GET {path} HTTP/1.1\r\nHost: oc\r\n\r\n");
        var head = await RawHttp.ExchangeAsync(appliance.HttpPort, $"HEAD {path} HTTP/1.1\r\nHost: oc\r\n\r\n");
        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal(get.Headers["content-type"], head.Headers["content-type"]);
        // The numbers (uptime, request counts, the process-wide list of recent warnings that other
        // tests running in parallel add to) may have moved on in between, so the length is only
        // of the same order as GET's.
        int length = int.Parse(head.Headers["content-length"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(length, get.Body.Length / 2, get.Body.Length * 2);
    }

    [Fact]
    public async Task Http_1_0_is_served()
    {
        using var appliance = new TestAppliance(Poller);
        var response = await RawHttp.ExchangeAsync(appliance.HttpPort, "GET /healthz HTTP/1.0\r\n\r\n");
        Assert.Equal(200, response.Status);
        Assert.Equal("ok\n", response.Text);
    }

    [Fact]
    public async Task Status_json_has_the_documented_fields()
    {
        using var appliance = new TestAppliance(Poller);
        using var http = StatusClient.Create(appliance.HttpPort);
        var status = await StatusClient.GetStatusAsync(http);

        Assert.Equal("test-appliance", status.GetProperty("name").GetString());
        Assert.Equal(1, status.GetProperty("protocol_version").GetInt32());
        Assert.Equal(Poller, status.GetProperty("poller").GetString());
        Assert.Matches("^[0-9a-f]{32}$", status.GetProperty("appliance_id").GetString());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("version").GetString()));
        Assert.True(status.GetProperty("healthy").GetBoolean());
        Assert.False(status.GetProperty("storage_fault").GetBoolean());
        Assert.True(status.GetProperty("uptime_seconds").GetInt64() >= 0);
        Assert.Equal(0, status.GetProperty("users_registered").GetInt64());
        Assert.Equal(0, status.GetProperty("users_online").GetInt32());
        Assert.Equal(0, status.GetProperty("connections").GetInt32());
        Assert.Equal(0, status.GetProperty("messages_stored").GetInt64());
        Assert.Equal(0, status.GetProperty("messages_per_second").GetDouble());
        Assert.Equal(0, status.GetProperty("files_stored").GetInt64());
        Assert.Equal(0, status.GetProperty("file_bytes_stored").GetInt64());
        Assert.True(status.GetProperty("disk_free_bytes").GetInt64() > 0);
        Assert.Equal(1, status.GetProperty("http_connections").GetInt32());
        Assert.Equal(JsonValueKind.Array, status.GetProperty("last_errors").ValueKind);
        Assert.True(status.GetProperty("started_utc").GetDateTime() <= DateTime.UtcNow);
    }

    [Fact]
    public async Task Status_json_follows_registrations_and_connections()
    {
        using var appliance = new TestAppliance(Poller);
        using var http = StatusClient.Create(appliance.HttpPort);

        await using (var first = await appliance.ConnectAsync())
        {
            uint number = await TestUsers.RegisterAsync(first, "alice", "pw");
            // REGISTERED is sent after the commit, and the count is raised before that.
            var status = await StatusClient.GetStatusAsync(http);
            Assert.Equal(1, status.GetProperty("users_registered").GetInt64());
            Assert.Equal(1, status.GetProperty("connections").GetInt32());
            Assert.Equal(0, status.GetProperty("users_online").GetInt32());

            await using var second = await appliance.ConnectAsync();
            await using var third = await appliance.ConnectAsync();
            await TestUsers.RegisterAsync(second, "bob", "pw");
            await TestUsers.LoginAsync(first, number, "pw");
            await TestUsers.LoginAsync(second, number, "pw");

            status = await StatusClient.GetStatusAsync(http);
            Assert.Equal(2, status.GetProperty("users_registered").GetInt64());
            Assert.Equal(3, status.GetProperty("connections").GetInt32());
            Assert.Equal(1, status.GetProperty("users_online").GetInt32()); // one user on two connections
            Assert.Equal(2, status.GetProperty("sessions_online").GetInt32());
            // Logged in but never live, as a one-shot command: not online to friends.
            Assert.Equal(0, status.GetProperty("users_present").GetInt32());
            Assert.True(status.GetProperty("storage_groups_committed").GetInt64() >= 2);

            // Both of alice's sessions go live (as `oc listen` does): she counts once.
            await ChatPeers.GoLiveAsync(first);
            await ChatPeers.GoLiveAsync(second);
            status = await StatusClient.GetStatusAsync(http);
            Assert.Equal(1, status.GetProperty("users_present").GetInt32());
            Assert.Equal(1, status.GetProperty("users_online").GetInt32());
        }

        // No signal: the clients closed their sockets, and the loop reads the end of each on its
        // own time; a closed client has nothing left to hear that on. The status page shows it.
        await StatusClient.WaitForStatusAsync(http, s =>
            s.GetProperty("connections").GetInt32() == 0 && s.GetProperty("users_online").GetInt32() == 0 && s.GetProperty("sessions_online").GetInt32() == 0
                && s.GetProperty("users_present").GetInt32() == 0,
            "no connections, users or sessions online once the three clients closed");
    }

    [Fact]
    public async Task Status_json_counts_a_file_once_it_is_complete()
    {
        using var appliance = new TestAppliance(Poller);
        using var http = StatusClient.Create(appliance.HttpPort);
        var (_, alice) = await ChatPeers.NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await ChatPeers.NewUserAsync(appliance, "bob");
        await using var _a = alice;
        await using var _b = bobConn;
        await ChatPeers.BefriendAsync(alice, bob, bobConn);

        var content = new byte[300_001];
        new Random(6).NextBytes(content);
        await OcFiles.UploadAsync(alice, bob, "counted.bin", new MemoryStream(content));

        // The reply to FILE_SEAL is sent after the worker counted the file.
        var status = await StatusClient.GetStatusAsync(http);
        Assert.Equal(1, status.GetProperty("files_stored").GetInt64());
        Assert.Equal(content.Length, status.GetProperty("file_bytes_stored").GetInt64());
    }

    [Fact]
    public async Task Users_registered_survives_a_restart()
    {
        var data = TempDirectory.Create("oc-http-restart");
        try
        {
            using (var first = new TestAppliance(Poller, dataDirectory: data))
            {
                await using var connection = await first.ConnectAsync();
                await TestUsers.RegisterAsync(connection, "one", "pw");
                await TestUsers.RegisterAsync(connection, "two", "pw");
            }
            using var second = new TestAppliance(Poller, dataDirectory: data);
            using var http = StatusClient.Create(second.HttpPort);
            Assert.Equal(2, (await StatusClient.GetStatusAsync(http)).GetProperty("users_registered").GetInt64());
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task Friend_requests_waiting_and_blocks_are_counted_and_survive_a_restart()
    {
        var data = TempDirectory.Create("oc-http-relations");
        try
        {
            using (var first = new TestAppliance(Poller, dataDirectory: data))
            {
                using var http = StatusClient.Create(first.HttpPort);
                var (alice, aliceConn) = await ChatPeers.NewUserAsync(first, "alice");
                var (bob, bobConn) = await ChatPeers.NewUserAsync(first, "bob");
                var (carol, carolConn) = await ChatPeers.NewUserAsync(first, "carol");
                var (dave, daveConn) = await ChatPeers.NewUserAsync(first, "dave");
                await using var _a = aliceConn;
                await using var _b = bobConn;
                await using var _c = carolConn;
                await using var _d = daveConn;

                await OcFriends.AddAsync(aliceConn, bob);
                await OcFriends.AddAsync(carolConn, bob);
                await OcFriends.BlockAsync(bobConn, dave);
                // Counted before the reply is sent (on the worker, once the group is on disk).
                var status = await StatusClient.GetStatusAsync(http);
                Assert.Equal((2, 1), (status.GetProperty("friend_requests_pending").GetInt64(), status.GetProperty("blocks").GetInt64()));

                await OcFriends.AcceptAsync(bobConn, alice);
                await OcFriends.BlockAsync(bobConn, carol); // drops Carol's request
                await OcFriends.BlockAsync(daveConn, bob);  // the other way counts too
                status = await StatusClient.GetStatusAsync(http);
                Assert.Equal((0, 3), (status.GetProperty("friend_requests_pending").GetInt64(), status.GetProperty("blocks").GetInt64()));
                await OcFriends.AddAsync(carolConn, alice);
            }

            using var second = new TestAppliance(Poller, dataDirectory: data);
            using var again = StatusClient.Create(second.HttpPort);
            var after = await StatusClient.GetStatusAsync(again);
            Assert.Equal((1, 3), (after.GetProperty("friend_requests_pending").GetInt64(), after.GetProperty("blocks").GetInt64()));
            var samples = PrometheusText.Parse(await again.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
            Assert.Equal(1, Assert.Single(samples, s => s.Name == "oc_friend_requests_pending").Value);
            Assert.Equal(3, Assert.Single(samples, s => s.Name == "oc_blocks").Value);
            var html = await again.GetStringAsync(new Uri("/", UriKind.Relative));
            Assert.Contains("data-k=\"friend_requests_pending\" data-f=\"int\">1<", html, StringComparison.Ordinal);
            Assert.Contains("data-k=\"blocks\" data-f=\"int\">3<", html, StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task Metrics_parse_as_prometheus_text_with_live_numbers()
    {
        using var appliance = new TestAppliance(Poller, configure: o => o with { Name = "lab \"b\\2\"\nx" });
        await using var connection = await appliance.ConnectAsync();
        await TestUsers.RegisterAsync(connection, "metrics", "pw");

        using var http = StatusClient.Create(appliance.HttpPort);
        await http.GetStringAsync(new Uri("healthz", UriKind.Relative));
        using var response = await http.GetAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var samples = PrometheusText.Parse(await response.Content.ReadAsStringAsync(), out var types);

        double Value(string name) => Assert.Single(samples, s => s.Name == name).Value;
        Assert.Equal(1, Value("oc_users_registered"));
        Assert.Equal(1, Value("oc_connections"));
        Assert.Equal(0, Value("oc_users_online"));
        Assert.Equal(0, Value("oc_users_present"));
        Assert.Equal(0, Value("oc_messages_stored_total"));
        Assert.Equal(0, Value("oc_files_stored"));
        Assert.Equal(0, Value("oc_file_bytes_stored"));
        Assert.Equal(1, Value("oc_healthy"));
        Assert.True(Value("oc_uptime_seconds") >= 0);
        Assert.True(Value("oc_storage_groups_committed_total") >= 1);
        Assert.True(Value("oc_disk_free_bytes") > 0);
        Assert.Equal(1, Value("oc_http_connections"));
        var healthz = Assert.Single(samples, s => s.Name == "oc_http_requests_total" && s.Labels["code"] == "200");
        Assert.True(healthz.Value >= 1);
        // Label values are escaped and come back as they were.
        Assert.Equal("lab \"b\\2\"\nx", Assert.Single(samples, s => s.Name == "oc_info").Labels["name"]);

        foreach (var (name, type) in types)
        {
            Assert.True(name.EndsWith("_total", StringComparison.Ordinal) == (type == "counter"), $"{name} is a {type}");
        }
    }

    [Fact]
    public async Task The_status_page_json_and_metrics_show_the_certificate_fingerprint_and_a_plaintext_appliance_in_red()
    {
        using (var appliance = new TestAppliance(Poller))
        {
            using var http = StatusClient.Create(appliance.HttpPort);
            var status = await StatusClient.GetStatusAsync(http);
            Assert.True(status.GetProperty("tls").GetBoolean());
            Assert.Equal(appliance.Fingerprint, status.GetProperty("tls_fingerprint").GetString());
            Assert.Equal("openssl", status.GetProperty("tls_engine").GetString());
            var html = await http.GetStringAsync(new Uri("/", UriKind.Relative));
            Assert.Contains($"<code data-k=\"tls_fingerprint\">{appliance.Fingerprint}</code>", html, StringComparison.Ordinal);
            Assert.Contains("<span id=\"tls\" class=\"pill\">TLS</span>", html, StringComparison.Ordinal);
            Assert.Contains("oc_tls 1\n", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }
        using (var plain = new TestAppliance(Poller, configure: o => o with { InsecurePlaintext = true }))
        {
            using var http = StatusClient.Create(plain.HttpPort);
            var status = await StatusClient.GetStatusAsync(http);
            Assert.False(status.GetProperty("tls").GetBoolean());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("tls_fingerprint").ValueKind);
            var html = await http.GetStringAsync(new Uri("/", UriKind.Relative));
            Assert.Contains("<span id=\"tls\" class=\"pill bad\">not encrypted: --insecure-plaintext</span>", html, StringComparison.Ordinal);
            Assert.Contains("oc_tls 0\n", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_page_shows_the_numbers_and_escapes_the_name()
    {
        using var appliance = new TestAppliance(Poller, configure: o => o with { Name = "<img src=x onerror=alert(1)>&co" });
        using var http = StatusClient.Create(appliance.HttpPort);
        using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;&amp;co", html, StringComparison.Ordinal);
        foreach (var key in new[] { "users_registered", "users_online", "connections", "messages_stored", "messages_per_second", "files_stored", "file_bytes_stored", "disk_free_bytes", "uptime_seconds", "version" })
            Assert.Contains($"data-k=\"{key}\"", html, StringComparison.Ordinal);
        Assert.Contains("/api/status", html, StringComparison.Ordinal);
        Assert.Contains("http-equiv=\"refresh\"", html, StringComparison.Ordinal);
        // Self-contained: nothing is loaded from anywhere else.
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);

        // The inline style and script run only with this response's nonce.
        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        var nonce = System.Text.RegularExpressions.Regex.Match(csp, "script-src 'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains($"<script nonce=\"{nonce}\">", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_fails_while_storage_has_a_fault()
    {
        // Every write is refused as if the disk were full: a storage fault that stays unresolved.
        using var appliance = new TestAppliance(Poller, configure: o => o with { MinFreeBytes = long.MaxValue });
        using var http = StatusClient.Create(appliance.HttpPort);
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri("healthz", UriKind.Relative)));

        await using var connection = await appliance.ConnectAsync();
        var credentials = ScramCredentials.Derive("pw", ScramCredentials.NewSalt(), TestUsers.Iterations);
        var refused = await Assert.ThrowsAsync<OcErrorException>(() => connection.RequestAsync((b, id) => Register.Write(b, id,
            new Register("full", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey))));
        Assert.Equal(ErrorCode.StorageFailure, refused.Code);

        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("storage fault\n", await health.Content.ReadAsStringAsync());
        var status = await StatusClient.GetStatusAsync(http);
        Assert.False(status.GetProperty("healthy").GetBoolean());
        Assert.True(status.GetProperty("storage_fault").GetBoolean());
        Assert.Equal(0, status.GetProperty("users_registered").GetInt64());
        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
        Assert.Equal(0, Assert.Single(samples, s => s.Name == "oc_healthy").Value);
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "oc_storage_faults_total").Value);
    }

    [Fact]
    public void No_http_serves_nothing()
    {
        using var appliance = new TestAppliance(Poller, configure: o => o with { HttpEnabled = false });
        Assert.Null(appliance.Server.HttpEndPoint);
    }
}

public sealed class HttpEndpointTests_epoll() : HttpEndpointTests("epoll");

public sealed class HttpEndpointTests_select() : HttpEndpointTests("select");
