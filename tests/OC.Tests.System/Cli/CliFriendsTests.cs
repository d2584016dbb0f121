using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>`oc find`, `oc friends [add|remove|requests|accept|decline]`, `oc block|unblock|blocked`, `oc online`, and friend requests in `oc listen` and `oc chat`, as processes, two users in two config folders.</summary>
public sealed partial class CliFriendsTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for friends";
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    private static Task<OcRun> Oc(TempFolder config, string? stdin, params string[] args) => OcProcess.RunAsync(config.Path, stdin, null, args);

    private async Task<string> RegisterAndLoginAsync(TempFolder config, string nick)
    {
        var register = await Oc(config, Password + "\n", "register", "--server", appliance.Server, "--nick", nick, "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        var login = await Oc(config, Password + "\n", "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return number;
    }

    private static void AssertFailure(OcRun run, string message)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("oc: " + message + "\n", run.Stderr);
    }

    private static void AssertSuccess(OcRun run, string stdout)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(stdout + "\n", run.Stdout);
    }

    private static uint N(string number) => uint.Parse(number, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Two_users_find_each_other_ask_accept_and_see_each_other_online()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");

        // Each oc command is its own short session, never online (only oc listen and oc chat are),
        // so "offline" is what a lookup sees.
        var find = await Oc(_alice, null, "find", bob);
        AssertSuccess(find, $"{bob}  bob  offline");

        AssertSuccess(await Oc(_alice, null, "friends", "add", bob), $"Friend request sent to bob ({bob}); you become friends when they accept.");

        // Bob hears of it at his next login and in oc friends, and lists it.
        var login = await Oc(_bob, Password + "\n", "login", bob, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.EndsWith("\n1 friend request is waiting: oc friends requests\n", login.Stdout, StringComparison.Ordinal);
        var loginJson = await Oc(_bob, Password + "\n", "login", bob, "--password-stdin", "--json");
        using (var json = JsonDocument.Parse(loginJson.Stdout))
        {
            Assert.Equal(1, json.RootElement.GetProperty("friendRequests").GetInt32());
        }
        AssertSuccess(await Oc(_bob, null, "friends"), "No friends yet. Add one with: oc friends add NUMBER\n1 friend request is waiting: oc friends requests");

        var requests = await Oc(_bob, null, "friends", "requests");
        Assert.True(requests.ExitCode == 0, requests.ToString());
        Assert.Matches($@"^{alice}  alice  asks you   \d{{4}}-\d\d-\d\d \d\d:\d\d\nAnswer with: oc friends accept NUMBER, or oc friends decline NUMBER\n$", requests.Stdout);
        var mine = await Oc(_alice, null, "friends", "requests", "--json");
        using (var json = JsonDocument.Parse(mine.Stdout))
        {
            var request = Assert.Single(json.RootElement.GetProperty("requests").EnumerateArray().ToList());
            Assert.Equal(N(bob), request.GetProperty("ocNumber").GetUInt32());
            Assert.Equal("bob", request.GetProperty("nick").GetString());
            Assert.Equal("outgoing", request.GetProperty("direction").GetString());
            Assert.True(request.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        }

        AssertSuccess(await Oc(_bob, null, "friends", "accept", alice), $"alice ({alice}) is now your friend.");
        AssertSuccess(await Oc(_bob, null, "friends", "requests"), "No friend requests.");

        var alicesFriends = await Oc(_alice, null, "friends", "--json");
        Assert.True(alicesFriends.ExitCode == 0, alicesFriends.ToString());
        using (var json = JsonDocument.Parse(alicesFriends.Stdout))
        {
            var friend = Assert.Single(json.RootElement.GetProperty("friends").EnumerateArray().ToList());
            Assert.Equal(N(bob), friend.GetProperty("ocNumber").GetUInt32());
            Assert.Equal("bob", friend.GetProperty("nick").GetString());
            Assert.True(friend.GetProperty("friend").GetBoolean());
        }

        var findAgain = await Oc(_bob, null, "find", alice, "--json");
        using (var json = JsonDocument.Parse(findAgain.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("friend").GetBoolean());
        }

        // A one-shot command, `oc online` too, does not make its user online (only oc listen and oc chat do).
        var online = await Oc(_alice, null, "online");
        Assert.True(online.ExitCode == 0, online.ToString());
        Assert.Equal("Nobody is online.\n", online.Stdout);

        AssertSuccess(await Oc(_bob, null, "friends", "remove", alice), $"alice ({alice}) is no longer your friend.");
        AssertSuccess(await Oc(_alice, null, "friends"), "No friends yet. Add one with: oc friends add NUMBER");
    }

    [Fact]
    public async Task A_request_is_withdrawn_declined_or_accepted_by_adding_back_with_json_results()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");

        var add = await Oc(_alice, null, "friends", "add", bob, "--json");
        using (var json = JsonDocument.Parse(add.Stdout))
        {
            Assert.Equal(N(bob), json.RootElement.GetProperty("ocNumber").GetUInt32());
            Assert.False(json.RootElement.GetProperty("friend").GetBoolean());
            Assert.True(json.RootElement.GetProperty("requestWaiting").GetBoolean());
            Assert.Equal("bob", json.RootElement.GetProperty("nick").GetString());
        }
        AssertFailure(await Oc(_alice, null, "friends", "add", bob), $"your friend request to {bob} is waiting for them to accept");
        AssertSuccess(await Oc(_alice, null, "friends", "remove", bob), $"Your friend request to bob ({bob}) is withdrawn.");
        AssertSuccess(await Oc(_bob, null, "friends", "requests", "--json"), "{\"requests\":[]}");

        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);
        AssertSuccess(await Oc(_bob, null, "friends", "decline", alice), $"Declined the friend request of alice ({alice}).");
        AssertFailure(await Oc(_bob, null, "friends", "accept", alice), $"{alice} has not asked to be your friend");
        AssertSuccess(await Oc(_alice, null, "friends", "requests"), "No friend requests.");

        // Adding someone who asked you first is accepting.
        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);
        var back = await Oc(_bob, null, "friends", "add", alice, "--json");
        using (var json = JsonDocument.Parse(back.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("friend").GetBoolean());
            Assert.False(json.RootElement.GetProperty("requestWaiting").GetBoolean());
        }
    }

    [Fact]
    public async Task Blocking_refuses_the_blocked_user_s_requests_and_messages_until_unblocked()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");

        AssertSuccess(await Oc(_bob, null, "block", alice), $"Blocked alice ({alice}): no messages, files, friend requests or presence between you.");
        AssertFailure(await Oc(_alice, null, "friends", "add", bob), $"{bob} has blocked you");
        AssertFailure(await Oc(_alice, null, "send", bob, "hello?"), $"{bob} has blocked you");
        AssertSuccess(await Oc(_bob, null, "friends", "requests"), "No friend requests.");
        AssertSuccess(await Oc(_alice, null, "find", bob), $"{bob}  bob  offline");

        var blocked = await Oc(_bob, null, "blocked");
        Assert.True(blocked.ExitCode == 0, blocked.ToString());
        Assert.Matches($@"^{alice}  alice  since \d{{4}}-\d\d-\d\d \d\d:\d\d\n$", blocked.Stdout);
        var blockedJson = await Oc(_bob, null, "blocked", "--json");
        using (var json = JsonDocument.Parse(blockedJson.Stdout))
        {
            var one = Assert.Single(json.RootElement.GetProperty("blocked").EnumerateArray().ToList());
            Assert.Equal(N(alice), one.GetProperty("ocNumber").GetUInt32());
            Assert.Equal("alice", one.GetProperty("nick").GetString());
        }

        AssertSuccess(await Oc(_bob, null, "unblock", alice, "--json"), $"{{\"ocNumber\":{N(alice)},\"blocked\":false}}");
        AssertSuccess(await Oc(_bob, null, "blocked"), "You block nobody.");
        AssertSuccess(await Oc(_alice, null, "friends", "add", bob), $"Friend request sent to bob ({bob}); you become friends when they accept.");

        AssertFailure(await Oc(_bob, null, "block", bob), "you cannot block yourself");
        var usage = await Oc(_bob, null, "block", "1234567");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        Assert.StartsWith("oc: '1234567' is not an OC number (six digits)", usage.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_friend_requests_are_one_line_errors()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");

        AssertFailure(await Oc(_alice, null, "friends", "add", alice), "you cannot add yourself as a friend");
        string unknown = alice == "999999" || bob == "999999" ? "999998" : "999999";
        AssertFailure(await Oc(_alice, null, "friends", "add", unknown), $"no user has OC number {unknown}");
        AssertFailure(await Oc(_alice, null, "find", unknown), $"no user has OC number {unknown}");
        AssertFailure(await Oc(_alice, null, "friends", "accept", unknown), $"no user has OC number {unknown}");

        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);
        Assert.Equal(0, (await Oc(_bob, null, "friends", "accept", alice)).ExitCode);
        AssertFailure(await Oc(_bob, null, "friends", "add", alice), $"{alice} is already your friend");
        Assert.Equal(0, (await Oc(_bob, null, "friends", "remove", alice)).ExitCode);
        AssertFailure(await Oc(_bob, null, "friends", "remove", alice), $"{alice} is not your friend");

        var usage = await Oc(_alice, null, "friends", "add", "12");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        Assert.StartsWith("oc: '12' is not an OC number (six digits)", usage.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listen_shows_requests_waiting_at_its_start_and_new_ones_live()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        using var carolConfig = new TempFolder();
        string carol = await RegisterAndLoginAsync(carolConfig, "carol");

        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);
        await using var listen = RunningOc.Start(_bob.Path, "listen");
        var (waiting, _) = await listen.StdoutLineAsync(l => l.Contains("wants to be your friend", StringComparison.Ordinal));
        Assert.Equal($"* alice ({alice}) wants to be your friend: oc friends accept {alice} or oc friends decline {alice}", waiting);
        await listen.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));

        Assert.Equal(0, (await Oc(carolConfig, null, "friends", "add", bob)).ExitCode);
        var (live, skipped) = await listen.StdoutLineAsync(l => l.Contains("wants to be your friend", StringComparison.Ordinal));
        Assert.Equal($"* carol ({carol}) wants to be your friend: oc friends accept {carol} or oc friends decline {carol}", live);
        Assert.Empty(skipped);

        await using var json = RunningOc.Start(_bob.Path, "listen", "--json");
        var (first, _) = await json.StdoutLineAsync(l => l.Contains("\"friendRequest\"", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(first);
        Assert.Equal(N(alice), document.RootElement.GetProperty("ocNumber").GetUInt32());
        Assert.Equal("alice", document.RootElement.GetProperty("nick").GetString());
    }

    [Fact]
    public async Task In_oc_chat_a_request_is_shown_and_accepted_with_slash_accept()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);

        var chat = await Oc(_bob, $"/requests\n/accept {alice}\n/to {alice}\nhello friend\n/decline {alice}\n/quit\n", "chat");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains($"* alice ({alice}) wants to be your friend: /accept {alice} or /decline {alice}", chat.Stdout, StringComparison.Ordinal);
        Assert.Contains("Answer with: /accept NUMBER, or /decline NUMBER", chat.Stdout, StringComparison.Ordinal);
        Assert.Contains($"* alice ({alice}) is now your friend", chat.Stdout, StringComparison.Ordinal);
        Assert.Contains("you → alice: hello friend", chat.Stdout, StringComparison.Ordinal);
        // Nothing is left to decline: the refusal is one line on stderr and the chat goes on.
        Assert.Equal([$"oc: {alice} has not asked to be your friend"], chat.StderrLines);

        var history = await Oc(_alice, null, "history", bob);
        Assert.Contains("bob: hello friend", history.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Friend_commands_need_a_login()
    {
        var run = await Oc(_alice, null, "friends", "--server", appliance.Server);
        AssertFailure(run, "not logged in; run oc login NUMBER");
    }
}
