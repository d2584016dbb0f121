using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Tests.Integration;

public abstract class AccountTests(string poller)
{
    protected string Poller { get; } = poller;

    [Fact]
    public async Task Register_login_and_whoami_work()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        Assert.Equal("test-appliance", connection.Welcome.ApplianceName);
        Assert.Equal(32, connection.Welcome.ApplianceId.Length);

        uint number = await TestUsers.RegisterAsync(connection, "Alice 爱丽丝 🙂", "pässwörd", "alice@example.org");
        Assert.InRange(number, 100_000u, 999_999u);

        var loggedIn = await TestUsers.LoginAsync(connection, number, "pässwörd");
        Assert.Equal(number, loggedIn.OcNumber);
        Assert.Equal("Alice 爱丽丝 🙂", loggedIn.Nick);
        Assert.Equal(32, loggedIn.SessionToken.Length);

        var me = await TestUsers.WhoAmIAsync(connection);
        Assert.Equal(number, me.OcNumber);
        Assert.Equal("alice@example.org", me.Email);
    }

    [Fact]
    public async Task Wrong_password_is_refused_and_the_connection_can_try_again()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, "bob", "right");

        var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.LoginAsync(connection, number, "wrong"));
        Assert.Equal(ErrorCode.AuthenticationFailed, e.Code);

        var loggedIn = await TestUsers.LoginAsync(connection, number, "right");
        Assert.Equal(number, loggedIn.OcNumber);
    }

    [Fact]
    public async Task Unknown_number_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, "carol", "pw");
        uint other = number == 999_999 ? 100_000u : number + 1;

        var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.LoginAsync(connection, other, "pw"));
        Assert.Equal(ErrorCode.UnknownUser, e.Code);
    }

    [Fact]
    public async Task Requests_before_login_are_refused()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.WhoAmIAsync(connection));
        Assert.Equal(ErrorCode.NotAuthenticated, e.Code);
    }

    [Fact]
    public async Task Session_token_resumes_on_a_new_connection_until_logout()
    {
        using var appliance = new TestAppliance(Poller);
        byte[] token;
        uint number;
        await using (var first = await appliance.ConnectAsync())
        {
            number = await TestUsers.RegisterAsync(first, "dave", "pw");
            token = (await TestUsers.LoginAsync(first, number, "pw")).SessionToken;
        }

        await using (var second = await appliance.ConnectAsync())
        {
            var reply = await second.RequestAsync((b, id) => Resume.Write(b, id, new Resume(token)));
            Assert.True(LoggedIn.TryRead(reply.Payload, out var resumed));
            Assert.Equal(number, resumed.OcNumber);
            Assert.Equal("", resumed.ServerFinal);
            Assert.Equal(number, (await TestUsers.WhoAmIAsync(second)).OcNumber);

            var ok = await second.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id));
            Assert.Equal(FrameType.Ok, ok.Type);
        }

        await using var third = await appliance.ConnectAsync();
        var e = await Assert.ThrowsAsync<OcErrorException>(() => third.RequestAsync((b, id) => Resume.Write(b, id, new Resume(token))));
        Assert.Equal(ErrorCode.InvalidSession, e.Code);
    }

    [Fact]
    public async Task Repeated_failed_logins_are_throttled()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, "eve", "secret");

        OcErrorException? throttled = null;
        for (int i = 0; i < 8 && throttled is null; i++)
        {
            var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.LoginAsync(connection, number, "guess" + i));
            if (e.Code == ErrorCode.Throttled) throttled = e;
            else Assert.Equal(ErrorCode.AuthenticationFailed, e.Code);
        }
        Assert.NotNull(throttled);
        Assert.True(throttled.RetryAfterSeconds >= 1);
    }

    [Theory]
    [InlineData("", "nick")]
    [InlineData("   ", "nick")]
    [InlineData("a\u0007b", "control")]
    [InlineData("123456789012345678901234567890123", "32")]
    public async Task Bad_nicknames_are_refused_with_the_reason(string nick, string reasonContains)
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.RegisterAsync(connection, nick, "pw"));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains(reasonContains, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Weak_iteration_counts_are_refused()
    {
        using var appliance = new TestAppliance(Poller);
        await using var connection = await appliance.ConnectAsync();
        var weak = ScramCredentials.Derive("pw", ScramCredentials.NewSalt(), ScramCredentials.MinIterations);
        var e = await Assert.ThrowsAsync<OcErrorException>(() => connection.RequestAsync((b, id) =>
            Register.Write(b, id, new Register("x", "", weak.Salt, 1000, weak.StoredKey, weak.ServerKey))));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
    }

    [Fact]
    public async Task Concurrent_registrations_never_share_a_number()
    {
        using var appliance = new TestAppliance(Poller);
        var credentials = ScramCredentials.Derive("pw", ScramCredentials.NewSalt(), TestUsers.Iterations);
        var clients = Enumerable.Range(0, 20).Select(async c =>
        {
            await using var connection = await appliance.ConnectAsync();
            // Pipelined: 25 registrations in flight on each connection at once.
            var replies = await Task.WhenAll(Enumerable.Range(0, 25).Select(i => connection.RequestAsync((b, id) =>
                Register.Write(b, id, new Register($"user{c}-{i}", "", credentials.Salt, (uint)credentials.Iterations, credentials.StoredKey, credentials.ServerKey)))));
            return replies.Select(r => Registered.TryRead(r.Payload, out var reg) ? reg.OcNumber : 0u).ToArray();
        });
        var numbers = (await Task.WhenAll(clients)).SelectMany(n => n).ToList();

        Assert.Equal(500, numbers.Count);
        Assert.All(numbers, n => Assert.InRange(n, 100_000u, 999_999u));
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }

    [Fact]
    public async Task Accounts_survive_a_restart()
    {
        var data = TempDirectory.Create("oc-restart");
        try
        {
            uint number;
            byte[] token;
            using (var first = new TestAppliance(Poller, dataDirectory: data))
            {
                await using var connection = await first.ConnectAsync();
                number = await TestUsers.RegisterAsync(connection, "frank", "pw");
                token = (await TestUsers.LoginAsync(connection, number, "pw")).SessionToken;
            }

            using var second = new TestAppliance(Poller, dataDirectory: data);
            await using var again = await second.ConnectAsync();
            Assert.Equal(number, (await TestUsers.LoginAsync(again, number, "pw")).OcNumber);

            await using var resumed = await second.ConnectAsync();
            var reply = await resumed.RequestAsync((b, id) => Resume.Write(b, id, new Resume(token)));
            Assert.Equal(FrameType.LoggedIn, reply.Type);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}

public sealed class AccountTests_epoll() : AccountTests("epoll");

public sealed class AccountTests_select() : AccountTests("select");
