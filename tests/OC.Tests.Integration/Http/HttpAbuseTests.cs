using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OC.Tests.Integration;

namespace OC.Tests.Http;

/// <summary>
/// Requests no browser would send, clients that never finish, too many clients: each gets a
/// 4xx or is cut off, and the appliance goes on serving everyone else, protocol clients first.
/// </summary>
public abstract class HttpAbuseTests(string poller)
{
    protected string Poller { get; } = poller;

    [Fact]
    public async Task A_9_KiB_request_line_gets_414()
    {
        using var appliance = new TestAppliance(Poller);
        var response = await RawHttp.ExchangeAsync(appliance.HttpPort, "GET /" + new string('a', 9 * 1024) + " HTTP/1.1\r\nHost: oc\r\n\r\n");
        Assert.Equal(414, response.Status);
    }

    [Fact]
    public async Task A_hundred_header_lines_get_431()
    {
        using var appliance = new TestAppliance(Poller);
        var headers = string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Header-{i}: {i}\r\n"));
        var response = await RawHttp.ExchangeAsync(appliance.HttpPort, $"GET / HTTP/1.1\r\nHost: oc\r\n{headers}\r\n");
        Assert.Equal(431, response.Status);
    }

    [Fact]
    public async Task A_9_KiB_header_gets_431()
    {
        using var appliance = new TestAppliance(Poller);
        var response = await RawHttp.ExchangeAsync(appliance.HttpPort, $"GET / HTTP/1.1\r\nHost: oc\r\nCookie: {new string('c', 9 * 1024)}\r\n\r\n");
        Assert.Equal(431, response.Status);
    }

    [Fact]
    public async Task A_get_with_a_body_gets_400()
    {
        using var appliance = new TestAppliance(Poller);
        var response = await RawHttp.ExchangeAsync(appliance.HttpPort, "GET / HTTP/1.1\r\nHost: oc\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Equal(400, response.Status);
    }

    [Fact]
    public async Task Garbage_gets_400()
    {
        using var appliance = new TestAppliance(Poller);
        var random = new Random(4321);
        var inputs = new List<byte[]>
        {
            new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 }, // TLS ClientHello
            new byte[] { 0x00, 0x00, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01 },     // an OC frame
            Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.6\r\n"),
        };
        for (int i = 0; i < 10; i++)
        {
            var bytes = new byte[random.Next(1, 5000)];
            random.NextBytes(bytes);
            inputs.Add(bytes);
        }
        foreach (var input in inputs)
        {
            var response = await RawHttp.ExchangeAsync(appliance.HttpPort, input);
            Assert.Equal(400, response.Status);
        }
    }

    [Fact]
    public async Task A_slowloris_client_is_closed_after_the_deadline_and_not_before()
    {
        // The appliance's clock is a fake one that only the test moves: "not before the deadline"
        // is then exact, and no real duration is measured.
        var timeout = TimeSpan.FromSeconds(2);
        var time = new FakeTimeProvider();
        using var appliance = new TestAppliance(Poller, configure: o => o with { HttpRequestTimeout = timeout, Time = time });
        using var socket = RawHttp.Connect(appliance.HttpPort);
        socket.Send("GET /api/status HTTP/1.1\r\nHost: oc\r\n"u8); // and never the blank line
        using var http = StatusClient.Create(appliance.HttpPort);
        // A status request answered after the connection above was accepted, so its deadline is set.
        Assert.Equal(0, await TimeoutsAsync(http));

        // A millisecond before the deadline: a status request is answered only after the loop ran
        // its due timers at the new time (events, then timers, then the next iteration's flush).
        time.Advance(timeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await TimeoutsAsync(http));
        Assert.False(socket.Poll(0, SelectMode.SelectRead), "the slow client was closed before its deadline");

        // Past it, by the sweep's period (a quarter of the timeout: the documented lateness), it goes;
        // the loop wakes for that timer within its real poll wait.
        time.Advance(timeout / 4);
        var received = await RawHttp.ReadToEndAsync(socket, RawHttp.Timeout);
        // A 408 when it could be sent before the close; a bare close is as good.
        if (received.Length > 0) Assert.Equal(408, RawHttpResponse.Parse(received).Status);
        Assert.Equal(1, await TimeoutsAsync(http));
    }

    private static async Task<double> TimeoutsAsync(HttpClient http)
    {
        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
        return Assert.Single(samples, s => s.Name == "oc_http_timeouts_total").Value;
    }

    [Fact]
    public async Task A_client_that_sends_nothing_is_closed_by_the_deadline()
    {
        using var appliance = new TestAppliance(Poller, configure: o => o with { HttpRequestTimeout = TimeSpan.FromSeconds(1) });
        using var socket = RawHttp.Connect(appliance.HttpPort);
        var received = await RawHttp.ReadToEndAsync(socket, RawHttp.Timeout);
        if (received.Length > 0) Assert.Equal(408, RawHttpResponse.Parse(received).Status);
    }

    [Fact]
    public async Task Protocol_clients_are_served_while_slow_clients_and_garbage_hang_around()
    {
        using var appliance = new TestAppliance(Poller);
        using var stop = new CancellationTokenSource();

        var slow = Enumerable.Range(0, 40).Select(_ => RawHttp.Connect(appliance.HttpPort)).ToList();
        var drips = slow.Select(s => Drip(s, () => { }, stop.Token)).ToList();
        var garbage = SendGarbageUntil(appliance.HttpPort, stop.Token);
        try
        {
            await using var connection = await appliance.ConnectAsync();
            uint number = await TestUsers.RegisterAsync(connection, "steady", "pw");
            Assert.Equal(number, (await TestUsers.LoginAsync(connection, number, "pw")).OcNumber);
            await using var other = await appliance.ConnectAsync();
            Assert.Equal(number, (await TestUsers.LoginAsync(other, number, "pw")).OcNumber);

            // The status page itself is still served too: the slow clients are under the bound.
            using var http = StatusClient.Create(appliance.HttpPort);
            var status = await StatusClient.GetStatusAsync(http);
            Assert.True(status.GetProperty("http_connections").GetInt32() > 40);
            Assert.Equal(1, status.GetProperty("users_online").GetInt32());
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll([.. drips, garbage]);
            foreach (var socket in slow) socket.Dispose();
        }
        Assert.True(await garbage > 0);
    }

    [Fact]
    public async Task Connections_beyond_the_bound_are_closed_at_once()
    {
        using var appliance = new TestAppliance(Poller, configure: o => o with { MaxHttpConnections = 4, HttpRequestTimeout = TimeSpan.FromSeconds(60) });
        using var http = StatusClient.Create(appliance.HttpPort);
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++) idle.Add(RawHttp.Connect(appliance.HttpPort));
            // Three idle connections and this request: the bound is reached, and all are accepted.
            Assert.Equal(4, (await StatusClient.GetStatusAsync(http)).GetProperty("http_connections").GetInt32());
            idle.Add(RawHttp.Connect(appliance.HttpPort));

            // Accepted in order, so this one finds four open and is closed at once: the end of the
            // stream comes within the read's 30 s, which the 60 s request deadline could not do.
            using var refused = RawHttp.Connect(appliance.HttpPort);
            Assert.Empty(await RawHttp.ReadToEndAsync(refused, RawHttp.Timeout));

            // The idle ones end their side; the appliance answers each end of stream by closing
            // the connection (and taking it off its list, in the same step on the loop), which we
            // read as the end of ours: the signal that the four places are free.
            foreach (var socket in idle) socket.Shutdown(SocketShutdown.Send);
            foreach (var socket in idle) Assert.Empty(await RawHttp.ReadToEndAsync(socket, RawHttp.Timeout));
        }
        finally
        {
            foreach (var socket in idle) socket.Dispose();
        }

        // With them gone the page is served again.
        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
        Assert.True(Assert.Single(samples, s => s.Name == "oc_http_connections_refused_total").Value >= 1);
    }

    /// <summary>
    /// Sends a request that never ends, one byte a second, until stopped or cut off. Slowness is
    /// what this client is, not a wait for something: it is paced by a timer, which can take the
    /// appliance's fake clock once it has one (PeriodicTimer accepts a TimeProvider).
    /// </summary>
    private static async Task Drip(Socket socket, Action onSent, CancellationToken stop)
    {
        var start = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: oc\r\nX-Slow: ");
        var one = new byte[1];
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1));
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            one[0] = i < start.Length ? start[i] : (byte)'a';
            try
            {
                await socket.SendAsync(one, SocketFlags.None, stop);
                onSent();
                await pace.WaitForNextTickAsync(stop);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>Garbage on new connections, one after the other, until stopped; returns how many got a 400.</summary>
    private static async Task<int> SendGarbageUntil(int port, CancellationToken stop)
    {
        var random = new Random(99);
        int refused = 0;
        while (!stop.IsCancellationRequested)
        {
            var bytes = new byte[random.Next(1, 3000)];
            random.NextBytes(bytes);
            var response = await RawHttp.ExchangeAsync(port, bytes);
            Assert.Equal(400, response.Status);
            refused++;
        }
        return refused;
    }
}

public sealed class HttpAbuseTests_epoll() : HttpAbuseTests("epoll");

public sealed class HttpAbuseTests_select() : HttpAbuseTests("select");
