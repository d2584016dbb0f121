using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Integration;

/// <summary>
/// The admin socket (docs/protocol.md, "The admin socket") of the real appliance, in this process:
/// a Unix domain socket in the data folder, served by the same loop and storage worker.
/// </summary>
public sealed class AdminSocketTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    private static Task<OcConnection> AdminAsync(TestAppliance appliance) =>
        OcConnection.ConnectUnixAsync(appliance.Server.AdminSocketPath ?? throw new InvalidOperationException("no admin socket"), "tests");

    private static async Task<(uint Number, OcConnection Connection, LoggedIn Login)> UserAsync(TestAppliance appliance, string nick, string password)
    {
        var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, nick, password);
        var login = await OcAccounts.LoginAsync(connection, number, password, "laptop");
        return (number, connection, login);
    }

    private static async Task<OcErrorException> EndedAsync(OcConnection connection)
    {
        await connection.Completion.WaitAsync(EventTimeout);
        return Assert.IsType<OcErrorException>(Assert.IsType<OcConnectionException>(connection.ClosedBecause).InnerException);
    }

    [Fact]
    public void The_admin_socket_is_in_the_data_folder_and_only_for_its_owner()
    {
        using var appliance = new TestAppliance();
        string path = appliance.Server.AdminSocketPath!;

        Assert.Equal(Path.Combine(appliance.DataDirectory, "admin.sock"), path);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        appliance.Stop();
        Assert.False(File.Exists(path), "the socket file outlived the appliance");
    }

    [Fact]
    public async Task Users_are_listed_with_their_sessions()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConnection, _) = await UserAsync(appliance, "alice", "pw");
        await using var a = aliceConnection;
        uint bob;
        await using (var registering = await appliance.ConnectAsync()) bob = await TestUsers.RegisterAsync(registering, "bob", "pw", "bob@example.org");

        await using var admin = await AdminAsync(appliance);
        var users = await OcAdmin.ListUsersAsync(admin);

        Assert.Equal(new[] { alice, bob }.Order(), users.Select(u => u.OcNumber));
        var aliceEntry = Assert.Single(users, u => u.OcNumber == alice);
        Assert.Equal(("alice", (ushort)1), (aliceEntry.Nick, aliceEntry.Sessions));
        Assert.True(aliceEntry.LastUsedUnixMs >= aliceEntry.CreatedUnixMs);
        var bobEntry = Assert.Single(users, u => u.OcNumber == bob);
        Assert.Equal(("bob@example.org", (ushort)0, 0L), (bobEntry.Email, bobEntry.Sessions, bobEntry.LastUsedUnixMs));
    }

    [Fact]
    public async Task A_password_reset_ends_every_session_of_the_user_and_the_new_password_logs_in()
    {
        using var appliance = new TestAppliance();
        var (number, connection, login) = await UserAsync(appliance, "carol", "forgotten");
        await using var c = connection;
        // Locked by guessing: the reset clears that for the owner, who now has a new password.
        await using (var guesser = await appliance.ConnectAsync())
        {
            for (int i = 0; i < 6; i++) await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.LoginAsync(guesser, number, "guess"));
        }

        await using var admin = await AdminAsync(appliance);
        var verifier = await OcAccounts.DeriveVerifierAsync("brand new", TestUsers.Iterations);
        await OcAdmin.SetPasswordAsync(admin, number, verifier);

        Assert.Equal(ErrorCode.SessionEnded, (await EndedAsync(connection)).Code);
        await using var check = await appliance.ConnectAsync();
        var resume = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.ResumeAsync(check, login.SessionToken));
        Assert.Equal(ErrorCode.InvalidSession, resume.Code);
        var old = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.LoginAsync(check, number, "forgotten"));
        Assert.Equal(ErrorCode.AuthenticationFailed, old.Code);
        Assert.Equal(number, (await OcAccounts.LoginAsync(check, number, "brand new")).OcNumber);
    }

    [Fact]
    public async Task Deleting_a_user_ends_its_sessions_and_friendships_and_its_number_stays_unknown()
    {
        using var appliance = new TestAppliance();
        var (doomed, doomedConnection, _) = await UserAsync(appliance, "doomed", "pw");
        var (friend, friendConnection, _) = await UserAsync(appliance, "friend", "pw");
        await using var d = doomedConnection;
        await using var f = friendConnection;
        await ChatPeers.BefriendAsync(friendConnection, doomed, doomedConnection);

        await using var admin = await AdminAsync(appliance);
        await OcAdmin.DeleteUserAsync(admin, doomed);

        Assert.Equal(ErrorCode.SessionEnded, (await EndedAsync(doomedConnection)).Code);
        using (var timeout = new CancellationTokenSource(EventTimeout))
        {
            ReceivedFrame frame;
            do frame = await friendConnection.Events.ReadAsync(timeout.Token);
            while (frame.Type != FrameType.FriendRemoved);
            Assert.True(UserNumber.TryRead(frame.Payload, out uint removed));
            Assert.Equal(doomed, removed);
        }
        Assert.Empty(await OcFriends.ListAsync(friendConnection));
        await using var check = await appliance.ConnectAsync();
        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.LoginAsync(check, doomed, "pw"));
        Assert.Equal(ErrorCode.UnknownUser, e.Code);
        Assert.DoesNotContain(await OcAdmin.ListUsersAsync(admin), u => u.OcNumber == doomed);

        var again = await Assert.ThrowsAsync<OcErrorException>(() => OcAdmin.DeleteUserAsync(admin, doomed));
        Assert.Equal(ErrorCode.UnknownUser, again.Code);
        var reset = await Assert.ThrowsAsync<OcErrorException>(async () =>
            await OcAdmin.SetPasswordAsync(admin, doomed, await OcAccounts.DeriveVerifierAsync("x", TestUsers.Iterations)));
        Assert.Equal(ErrorCode.UnknownUser, reset.Code);
    }

    [Fact]
    public async Task The_admin_socket_serves_only_admin_requests()
    {
        using var appliance = new TestAppliance();
        await using var admin = await AdminAsync(appliance);

        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcAccounts.WhoAmIAsync(admin));

        Assert.Equal(ErrorCode.UnknownFrameType, e.Code);
        Assert.Empty(await OcAdmin.ListUsersAsync(admin));
    }

    [Fact]
    public async Task A_snapshot_gives_the_log_s_committed_point_and_a_copy_of_the_database_and_the_network_port_does_not_serve_it()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConnection, _) = await UserAsync(appliance, "alice", "pw");
        var (bob, bobConnection, _) = await UserAsync(appliance, "bob", "pw");
        await using var a = aliceConnection;
        await using var b = bobConnection;
        await ChatPeers.BefriendAsync(a, bob, b);
        for (int i = 0; i < 3; i++) await ChatPeers.SendAsync(a, bob, $"hello {i}");

        await using var admin = await AdminAsync(appliance);
        var taken = await OcAdmin.SnapshotAsync(admin);

        Assert.Equal((3UL, 3UL, 2u, 1u), (taken.LastSeq, taken.Messages, taken.Users, taken.Friendships));
        // Nothing was sent since: the committed point is the whole log.
        Assert.Equal(new FileInfo(Path.Combine(appliance.DataDirectory, "messages.log")).Length, (long)taken.MessagesBytes);
        string copy = Path.Combine(appliance.DataDirectory, taken.DatabaseFile);
        Assert.Equal(new FileInfo(copy).Length, (long)taken.DatabaseBytes);
        Assert.Contains(alice, (await OcAdmin.ListUsersAsync(admin)).Select(u => u.OcNumber));

        var refused = await Assert.ThrowsAsync<OcErrorException>(() => OcAdmin.SnapshotAsync(a));
        Assert.Equal(ErrorCode.UnknownFrameType, refused.Code);
    }
}
