using Microsoft.Extensions.Time.Testing;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Tests.Integration;

/// <summary>
/// The sessions a user controls (docs/protocol.md, "Sessions and passwords"), on the wire against the
/// real appliance: SESSIONS, SESSION_REVOKE, LOGOUT_ALL, PASSWORD_CHANGE, and expiry on a fake clock.
/// </summary>
public sealed class SessionControlTests
{
    // For a hang only: the appliance closes an ended session's connection in milliseconds.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    private static async Task<(OcConnection Connection, LoggedIn Login)> LoginAsync(TestAppliance appliance, uint number, string password, string device)
    {
        var connection = await appliance.ConnectAsync();
        var login = await OcAccounts.LoginAsync(connection, number, password, device);
        return (connection, login);
    }

    private static async Task<uint> RegisterAsync(TestAppliance appliance, string nick, string password)
    {
        await using var connection = await appliance.ConnectAsync();
        return await TestUsers.RegisterAsync(connection, nick, password);
    }

    /// <summary>The connection was closed by the appliance with ERROR SessionEnded (request id 0).</summary>
    private static async Task<string> AssertEndedAsync(OcConnection connection)
    {
        await connection.Completion.WaitAsync(CloseTimeout);
        var closed = Assert.IsType<OcConnectionException>(connection.ClosedBecause);
        var error = Assert.IsType<OcErrorException>(closed.InnerException);
        Assert.Equal(ErrorCode.SessionEnded, error.Code);
        return error.Message;
    }

    private static async Task AssertRefusedAsync(TestAppliance appliance, byte[] token)
    {
        await using var connection = await appliance.ConnectAsync();
        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.ResumeAsync(connection, token));
        Assert.Equal(ErrorCode.InvalidSession, e.Code);
    }

    private static async Task<LoggedIn> ResumeAsync(TestAppliance appliance, byte[] token)
    {
        await using var connection = await appliance.ConnectAsync();
        return await OcAccounts.ResumeAsync(connection, token);
    }

    [Fact]
    public async Task Sessions_lists_each_login_with_its_device_and_address_and_marks_the_asking_one()
    {
        using var appliance = new TestAppliance();
        uint number = await RegisterAsync(appliance, "alice", "pw");
        var (laptop, laptopLogin) = await LoginAsync(appliance, number, "pw", "laptop");
        var (phone, _) = await LoginAsync(appliance, number, "pw", "phone ☎");
        await using var l = laptop;
        await using var p = phone;

        var sessions = await OcAccounts.ListSessionsAsync(laptop);

        Assert.Equal(2, sessions.Count);
        Assert.Equal(["laptop", "phone ☎"], sessions.Select(s => s.Device).Order(StringComparer.Ordinal));
        Assert.All(sessions, s => Assert.Equal("127.0.0.1", s.Address));
        Assert.All(sessions, s => Assert.True(s.Connected));
        Assert.All(sessions, s => Assert.InRange(s.CreatedUnixMs, 1, s.LastUsedUnixMs));
        var current = Assert.Single(sessions, s => s.Current);
        Assert.Equal("laptop", current.Device);
        Assert.NotEqual(sessions[0].Id, sessions[1].Id);

        // A resumed connection is the same session: not a new entry, and current for it.
        await using var again = await appliance.ConnectAsync();
        await OcAccounts.ResumeAsync(again, laptopLogin.SessionToken);
        var seenFromResume = await OcAccounts.ListSessionsAsync(again);
        Assert.Equal(2, seenFromResume.Count);
        Assert.Equal(current.Id, Assert.Single(seenFromResume, s => s.Current).Id);
    }

    [Fact]
    public async Task A_device_name_with_a_control_character_or_too_long_is_refused()
    {
        using var appliance = new TestAppliance();
        uint number = await RegisterAsync(appliance, "bob", "pw");
        await using var connection = await appliance.ConnectAsync();

        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.LoginAsync(connection, number, "pw", "evil\u001b[2J"));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("control character", e.Message, StringComparison.Ordinal);
        var tooLong = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.LoginAsync(connection, number, "pw", new string('x', 65)));
        Assert.Equal(ErrorCode.InvalidArgument, tooLong.Code);
        Assert.Contains("longer than 64 bytes", tooLong.Message, StringComparison.Ordinal);
        // The connection is usable: a good login follows.
        Assert.Equal(number, (await OcAccounts.LoginAsync(connection, number, "pw", "laptop")).OcNumber);
    }

    [Fact]
    public async Task A_revoked_session_is_closed_at_once_and_its_token_is_refused_while_others_go_on()
    {
        using var appliance = new TestAppliance();
        uint number = await RegisterAsync(appliance, "carol", "pw");
        var (mine, _) = await LoginAsync(appliance, number, "pw", "laptop");
        var (stolen, stolenLogin) = await LoginAsync(appliance, number, "pw", "stolen");
        await using var m = mine;
        await using var s = stolen;
        // A second connection on the stolen session (as oc listen beside oc chat): it ends too.
        await using var stolenToo = await appliance.ConnectAsync();
        await OcAccounts.ResumeAsync(stolenToo, stolenLogin.SessionToken);

        var target = Assert.Single(await OcAccounts.ListSessionsAsync(mine), x => x.Device == "stolen");
        await OcAccounts.RevokeSessionAsync(mine, target.Id);

        Assert.Contains("revoked", await AssertEndedAsync(stolen), StringComparison.Ordinal);
        await AssertEndedAsync(stolenToo);
        await AssertRefusedAsync(appliance, stolenLogin.SessionToken);
        Assert.Equal(number, (await TestUsers.WhoAmIAsync(mine)).OcNumber);
        Assert.DoesNotContain(await OcAccounts.ListSessionsAsync(mine), x => x.Id == target.Id);
    }

    [Fact]
    public async Task Nobody_can_revoke_a_session_that_is_not_theirs()
    {
        using var appliance = new TestAppliance();
        uint alice = await RegisterAsync(appliance, "alice", "pw");
        uint mallory = await RegisterAsync(appliance, "mallory", "pw");
        var (aliceConnection, aliceLogin) = await LoginAsync(appliance, alice, "pw", "laptop");
        var (malloryConnection, _) = await LoginAsync(appliance, mallory, "pw", "laptop");
        await using var a = aliceConnection;
        await using var m = malloryConnection;
        uint aliceSession = Assert.Single(await OcAccounts.ListSessionsAsync(aliceConnection)).Id;

        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.RevokeSessionAsync(malloryConnection, aliceSession));
        Assert.Equal(ErrorCode.SessionNotFound, e.Code);
        var unknown = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.RevokeSessionAsync(malloryConnection, 0));
        Assert.Equal(ErrorCode.SessionNotFound, unknown.Code);

        Assert.Equal(alice, (await ResumeAsync(appliance, aliceLogin.SessionToken)).OcNumber);
    }

    [Fact]
    public async Task Revoking_the_asking_session_logs_that_connection_out()
    {
        using var appliance = new TestAppliance();
        uint number = await RegisterAsync(appliance, "dave", "pw");
        var (connection, login) = await LoginAsync(appliance, number, "pw", "laptop");
        await using var c = connection;
        uint own = Assert.Single(await OcAccounts.ListSessionsAsync(connection)).Id;

        await OcAccounts.RevokeSessionAsync(connection, own);

        var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.WhoAmIAsync(connection));
        Assert.Equal(ErrorCode.NotAuthenticated, e.Code);
        await AssertRefusedAsync(appliance, login.SessionToken);
    }

    [Fact]
    public async Task Logout_all_ends_every_session_of_the_account_and_logs_the_asker_out()
    {
        using var appliance = new TestAppliance();
        uint number = await RegisterAsync(appliance, "erin", "pw");
        uint other = await RegisterAsync(appliance, "frank", "pw");
        var (asker, askerLogin) = await LoginAsync(appliance, number, "pw", "laptop");
        var (phone, phoneLogin) = await LoginAsync(appliance, number, "pw", "phone");
        var (someoneElse, someoneElseLogin) = await LoginAsync(appliance, other, "pw", "laptop");
        await using var a = asker;
        await using var p = phone;
        await using var s = someoneElse;

        await OcAccounts.LogoutAllAsync(asker);

        await AssertEndedAsync(phone);
        var e = await Assert.ThrowsAsync<OcErrorException>(() => TestUsers.WhoAmIAsync(asker));
        Assert.Equal(ErrorCode.NotAuthenticated, e.Code);
        await AssertRefusedAsync(appliance, askerLogin.SessionToken);
        await AssertRefusedAsync(appliance, phoneLogin.SessionToken);
        // Another account is not touched.
        Assert.Equal(other, (await TestUsers.WhoAmIAsync(someoneElse)).OcNumber);
        Assert.Equal(other, (await ResumeAsync(appliance, someoneElseLogin.SessionToken)).OcNumber);
    }

    [Fact]
    public async Task A_password_change_ends_every_other_session_and_only_the_new_password_logs_in()
    {
        using var appliance = new TestAppliance();
        uint number = await RegisterAsync(appliance, "grace", "old password");
        var (changer, changerLogin) = await LoginAsync(appliance, number, "old password", "laptop");
        var (other, otherLogin) = await LoginAsync(appliance, number, "old password", "phone");
        await using var c = changer;
        await using var o = other;

        await OcAccounts.ChangePasswordAsync(changer, "new password", TestUsers.Iterations);

        Assert.Contains("password was changed", await AssertEndedAsync(other), StringComparison.Ordinal);
        await AssertRefusedAsync(appliance, otherLogin.SessionToken);
        // The changing session stays, on its connection and for a resume.
        Assert.Equal(number, (await TestUsers.WhoAmIAsync(changer)).OcNumber);
        Assert.Equal(number, (await ResumeAsync(appliance, changerLogin.SessionToken)).OcNumber);

        await using var login = await appliance.ConnectAsync();
        var wrong = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.LoginAsync(login, number, "old password"));
        Assert.Equal(ErrorCode.AuthenticationFailed, wrong.Code);
        Assert.Equal(number, (await OcAccounts.LoginAsync(login, number, "new password")).OcNumber);
    }

    [Fact]
    public async Task A_password_change_needs_a_password_login_on_the_same_connection()
    {
        using var appliance = new TestAppliance();
        uint number = await RegisterAsync(appliance, "heidi", "pw");
        var (first, login) = await LoginAsync(appliance, number, "pw", "laptop");
        await using var f = first;

        // A stolen token resumes the session, but cannot change the password.
        await using var resumed = await appliance.ConnectAsync();
        await OcAccounts.ResumeAsync(resumed, login.SessionToken);
        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.ChangePasswordAsync(resumed, "taken over", TestUsers.Iterations));

        Assert.Equal(ErrorCode.FreshLoginRequired, e.Code);
        await using var check = await appliance.ConnectAsync();
        Assert.Equal(number, (await OcAccounts.LoginAsync(check, number, "pw")).OcNumber);
    }

    [Fact]
    public async Task A_password_change_with_the_old_salt_is_refused()
    {
        using var appliance = new TestAppliance();
        var salt = ScramCredentials.NewSalt();
        var old = ScramCredentials.Derive("pw", salt, TestUsers.Iterations);
        uint number;
        await using (var registering = await appliance.ConnectAsync())
        {
            var reply = await registering.RequestAsync((b, id) => Register.Write(b, id,
                new Register("ivan", "", old.Salt, (uint)old.Iterations, old.StoredKey, old.ServerKey)));
            Assert.True(Registered.TryRead(reply.Payload, out var registered));
            number = registered.OcNumber;
        }
        var (connection, _) = await LoginAsync(appliance, number, "pw", "laptop");
        await using var c = connection;

        var same = ScramCredentials.Derive("other", salt, TestUsers.Iterations);
        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.ChangePasswordAsync(connection,
            new PasswordVerifier(same.Salt, (uint)same.Iterations, same.StoredKey, same.ServerKey)));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("salt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_change_is_refused_once_the_login_is_more_than_five_minutes_old()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        // Idle timeouts far away: the fake clock jumps, the connection must stay.
        using var appliance = new TestAppliance(configure: o => o with { Time = time, IdleTimeout = TimeSpan.FromDays(3650) });
        uint number = await RegisterAsync(appliance, "judy", "pw");
        var (connection, _) = await LoginAsync(appliance, number, "pw", "laptop");
        await using var c = connection;

        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.ChangePasswordAsync(connection, "new", TestUsers.Iterations));
        Assert.Equal(ErrorCode.FreshLoginRequired, e.Code);

        // Logging in again on the same connection is not possible (it is logged in): a new one is fresh.
        var (fresh, _) = await LoginAsync(appliance, number, "pw", "laptop");
        await using var f = fresh;
        time.Advance(TimeSpan.FromMinutes(5));
        await OcAccounts.ChangePasswordAsync(fresh, "new", TestUsers.Iterations);
        await AssertEndedAsync(connection);
    }

    [Fact]
    public async Task A_session_expires_after_the_ttl_unused_and_each_use_starts_the_ttl_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        var ttl = TimeSpan.FromDays(30);
        using var appliance = new TestAppliance(configure: o => o with { Time = time, SessionTtl = ttl, IdleTimeout = TimeSpan.FromDays(3650) });
        uint number = await RegisterAsync(appliance, "ken", "pw");
        byte[] token;
        byte[] other;
        await using (var first = await appliance.ConnectAsync())
        {
            token = (await OcAccounts.LoginAsync(first, number, "pw", "laptop")).SessionToken;
        }
        await using (var second = await appliance.ConnectAsync())
        {
            other = (await OcAccounts.LoginAsync(second, number, "pw", "old phone")).SessionToken;
        }

        time.Advance(ttl - TimeSpan.FromSeconds(1));
        Assert.Equal(number, (await ResumeAsync(appliance, token)).OcNumber);
        time.Advance(ttl - TimeSpan.FromSeconds(1));
        Assert.Equal(number, (await ResumeAsync(appliance, token)).OcNumber);

        // The other one was last used 2 × (ttl - 1 s) ago: expired, not listed, refused.
        await using (var listing = await appliance.ConnectAsync())
        {
            await OcAccounts.ResumeAsync(listing, token);
            Assert.Equal("laptop", Assert.Single(await OcAccounts.ListSessionsAsync(listing)).Device);
        }
        await AssertRefusedAsync(appliance, other);

        // The hourly sweep counts the sessions of open connections as in use: the appliance must
        // have seen every connection above close first. Nothing signals that; it takes milliseconds.
        await OC.Tests.Support.Eventually.TrueAsync(() => appliance.Server.ConnectionCount == 0, CloseTimeout, "the appliance to see the connections close");
        time.Advance(ttl);
        await AssertRefusedAsync(appliance, token);
        await using var login = await appliance.ConnectAsync();
        Assert.Equal(number, (await OcAccounts.LoginAsync(login, number, "pw")).OcNumber);
    }

    [Fact]
    public async Task The_admin_frames_are_unknown_on_the_network_port()
    {
        using var appliance = new TestAppliance();
        await using var connection = await appliance.ConnectAsync();

        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAdmin.ListUsersAsync(connection));

        Assert.Equal(ErrorCode.UnknownFrameType, e.Code);
    }
}
