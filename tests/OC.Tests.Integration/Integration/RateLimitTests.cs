using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Limits;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Http;

namespace OC.Tests.Integration;

/// <summary>
/// The rate limits on the real appliance, with its default limits, on a clock that only the test
/// moves: while it stands still a bucket gives exactly its burst, so every count here is exact and
/// no real time is measured.
/// </summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TestAppliance _appliance;

    public RateLimitTests() =>
        _appliance = new TestAppliance(configure: o => o with { RateLimits = RateLimitSettings.Default, Time = _time });

    public void Dispose() => _appliance.Dispose();

    private static RateLimit Default(RateKind kind) => RateLimitSettings.Default[kind]!.Value;

    /// <summary>Sends <paramref name="count"/> SENDs at once (pipelined on one connection): how many were stored, and the refusals.</summary>
    private static async Task<(int Sent, List<OcErrorException> Refused)> SendManyAsync(OcConnection from, uint to, int count)
    {
        var sends = Enumerable.Range(0, count).Select(i => OcMessages.SendAsync(from, to, $"message {i}")).ToList();
        int sent = 0;
        var refused = new List<OcErrorException>();
        foreach (var send in sends)
        {
            try
            {
                await send;
                sent++;
            }
            catch (OcErrorException e)
            {
                refused.Add(e);
            }
        }
        return (sent, refused);
    }

    private async Task<double> LimitedAsync(string kind)
    {
        using var http = StatusClient.Create(_appliance.HttpPort);
        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
        return Assert.Single(samples, s => s.Name == "oc_rate_limited_total" && s.Labels["kind"] == kind).Value;
    }

    [Fact]
    public async Task A_client_over_its_message_rate_gets_RateLimited_with_a_retry_after_and_nothing_more_is_stored()
    {
        var (alice, aliceConnection) = await ChatPeers.NewUserAsync(_appliance, "alice");
        var (bob, bobConnection) = await ChatPeers.NewUserAsync(_appliance, "bob");
        await using var _ = aliceConnection;
        await using var __ = bobConnection;
        await ChatPeers.BefriendAsync(aliceConnection, bob, bobConnection);
        int burst = Default(RateKind.Message).Burst;

        var (sent, refused) = await SendManyAsync(aliceConnection, bob, burst + 10);

        Assert.Equal(burst, sent);
        Assert.Equal(10, refused.Count);
        foreach (var error in refused)
        {
            Assert.Equal(ErrorCode.RateLimited, error.Code);
            Assert.True(error.RetryAfterSeconds >= 1, $"retry after {error.RetryAfterSeconds}");
            Assert.Contains("too many messages", error.Message, StringComparison.Ordinal);
        }
        // The connection stays open (a per-request error), and nothing beyond the burst was stored.
        var history = await OcMessages.HistoryAsync(bobConnection, alice, 0, OC.Protocol.ProtocolLimits.MaxHistoryPage);
        Assert.Equal(burst, history.Messages.Count);
        Assert.Equal(10, await LimitedAsync("message"));

        // Bob has his own bucket; Alice gets tokens back with time: 20 a second.
        await ChatPeers.SendAsync(bobConnection, alice, "mine is full");
        _time.Advance(TimeSpan.FromSeconds(1));
        var later = await SendManyAsync(aliceConnection, bob, 25);
        Assert.Equal(Default(RateKind.Message).Count, later.Sent);
    }

    [Fact]
    public async Task Sending_again_after_the_retry_after_succeeds()
    {
        var (_, alice) = await ChatPeers.NewUserAsync(_appliance, "alice");
        var (bob, bobConnection) = await ChatPeers.NewUserAsync(_appliance, "bob");
        await using var _ = alice;
        await using var __ = bobConnection;
        await ChatPeers.BefriendAsync(alice, bob, bobConnection);
        await SendManyAsync(alice, bob, Default(RateKind.Message).Burst);

        var id = Guid.NewGuid().ToByteArray();
        var refused = await Assert.ThrowsAsync<OcErrorException>(() => OcMessages.SendAsync(alice, bob, "one more", id));
        Assert.Equal(ErrorCode.RateLimited, refused.Code);

        _time.Advance(TimeSpan.FromSeconds(refused.RetryAfterSeconds));
        var sent = await OcMessages.SendAsync(alice, bob, "one more", id);
        Assert.True(sent.Seq > 0);
    }

    [Fact]
    public async Task Friend_requests_history_and_look_ups_are_limited_per_user()
    {
        var (_, alice) = await ChatPeers.NewUserAsync(_appliance, "alice");
        var (bob, bobConnection) = await ChatPeers.NewUserAsync(_appliance, "bob");
        await using var _ = alice;
        await using var __ = bobConnection;

        for (int i = 0; i < Default(RateKind.Find).Burst; i++) await OcFriends.FindAsync(alice, bob);
        var find = await Assert.ThrowsAsync<OcErrorException>(() => OcFriends.FindAsync(alice, bob));
        Assert.Equal(ErrorCode.RateLimited, find.Code);

        for (int i = 0; i < Default(RateKind.History).Burst; i++) await OcMessages.HistoryAsync(alice, bob, 0, 10);
        var history = await Assert.ThrowsAsync<OcErrorException>(() => OcMessages.HistoryAsync(alice, bob, 0, 10));
        Assert.Equal(ErrorCode.RateLimited, history.Code);

        // Friend requests: each one takes a token, whatever the answer (here: already asked).
        await OcFriends.AddAsync(alice, bob);
        for (int i = 1; i < Default(RateKind.FriendRequest).Burst; i++)
            Assert.Equal(ErrorCode.RequestPending, (await Assert.ThrowsAsync<OcErrorException>(() => OcFriends.AddAsync(alice, bob))).Code);
        var add = await Assert.ThrowsAsync<OcErrorException>(() => OcFriends.AddAsync(alice, bob));
        Assert.Equal(ErrorCode.RateLimited, add.Code);
        Assert.Equal(2u, add.RetryAfterSeconds); // 30 a minute: one every 2 s

        // Taking a request back is not a request to anyone: not limited.
        await OcFriends.RemoveAsync(alice, bob);
        Assert.Equal(1, await LimitedAsync("friend_request"));
        Assert.Equal(1, await LimitedAsync("find"));
        Assert.Equal(1, await LimitedAsync("history"));
    }

    [Fact]
    public async Task Registrations_are_limited_per_address()
    {
        await using var connection = await _appliance.ConnectAsync();
        for (int i = 0; i < Default(RateKind.Register).Burst; i++) await TestUsers.RegisterAsync(connection, $"user{i}", "pw");
        var refused = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.RegisterAsync(connection, "one too many", "pw"));
        Assert.Equal(ErrorCode.RateLimited, refused.Code);
        Assert.Equal(6u, refused.RetryAfterSeconds); // 10 a minute
        Assert.Contains("too many registrations", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, await LimitedAsync("register"));
    }

    [Fact]
    public async Task A_new_connection_over_its_address_s_rate_is_refused_at_once_with_the_wait()
    {
        var open = new List<Socket>();
        try
        {
            for (int i = 0; i < Default(RateKind.Connection).Burst; i++)
            {
                var raw = new RawClient(_appliance.Port);
                open.Add(raw.Socket);
                raw.SendHello();
                Assert.Equal(FrameType.Welcome, raw.ReadFrame()!.Value.Header.Type);
            }

            using var over = new RawClient(_appliance.Port, tls: false);
            var error = over.ReadError(Frame.NoRequest);
            Assert.Equal(ErrorCode.TooManyConnections, error.Code);
            Assert.True(error.RetryAfterSeconds >= 1);
            Assert.Contains("too many new connections", error.Message, StringComparison.Ordinal);
            over.AssertClosedByAppliance();
            Assert.Equal(1, await LimitedAsync("connection"));

            // The library reports it as the connection's failure, with the appliance's error inside.
            var failed = await Assert.ThrowsAsync<OcConnectionException>(() => _appliance.ConnectAsync());
            var inner = Assert.IsType<OcErrorException>(failed.InnerException);
            Assert.Equal((ErrorCode.TooManyConnections, 1u), (inner.Code, inner.RetryAfterSeconds));

            _time.Advance(TimeSpan.FromSeconds(1));
            await using var again = await _appliance.ConnectAsync();
        }
        finally
        {
            foreach (var socket in open) socket.Dispose();
        }
    }

    [Fact]
    public async Task The_status_page_shows_the_limits_in_force_and_what_they_refused()
    {
        await using var connection = await _appliance.ConnectAsync();
        using var http = StatusClient.Create(_appliance.HttpPort);
        var status = await StatusClient.GetStatusAsync(http);
        Assert.True(status.GetProperty("rate_limits_on").GetBoolean());
        var message = status.GetProperty("rate_limits").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "message");
        Assert.Equal(("user", "20/s,60", 60), (message.GetProperty("per").GetString(), message.GetProperty("rate").GetString(), message.GetProperty("burst").GetInt32()));

        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out var types);
        Assert.Equal("counter", types["oc_rate_limited_total"]);
        Assert.Equal(["message", "file_offer", "friend_request", "history", "find", "register", "login", "connection"],
            samples.Where(s => s.Name == "oc_rate_limited_total").Select(s => s.Labels["kind"]));
        Assert.Equal(20, Assert.Single(samples, s => s.Name == "oc_rate_limit_per_second" && s.Labels["kind"] == "message").Value);
        Assert.Equal(0.5, Assert.Single(samples, s => s.Name == "oc_rate_limit_per_second" && s.Labels["kind"] == "friend_request").Value);
        Assert.Equal(100, Assert.Single(samples, s => s.Name == "oc_rate_limit_burst" && s.Labels["kind"] == "connection").Value);

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("Rate limits", page, StringComparison.Ordinal);
        Assert.Contains(">friend_request<", page, StringComparison.Ordinal);
    }
}
