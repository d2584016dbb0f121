using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>`oc find`, `oc friends [add|remove]` and `oc online` as processes, two users in two config folders.</summary>
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

    [Fact]
    public async Task Two_users_find_each_other_become_friends_and_see_each_other_online()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");

        // Each oc command is its own short session: the other user shows online only while one runs,
        // so "offline" is what a lookup between commands sees.
        var find = await Oc(_alice, null, "find", bob);
        Assert.True(find.ExitCode == 0, find.ToString());
        Assert.Equal($"{bob}  bob  offline\n", find.Stdout);

        var add = await Oc(_alice, null, "friends", "add", bob);
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal($"{bob} is now your friend.\n", add.Stdout);

        var bobsFriends = await Oc(_bob, null, "friends", "--json");
        Assert.True(bobsFriends.ExitCode == 0, bobsFriends.ToString());
        using (var json = JsonDocument.Parse(bobsFriends.Stdout))
        {
            var friend = Assert.Single(json.RootElement.GetProperty("friends").EnumerateArray().ToList());
            Assert.Equal(int.Parse(alice, System.Globalization.CultureInfo.InvariantCulture), friend.GetProperty("ocNumber").GetInt32());
            Assert.Equal("alice", friend.GetProperty("nick").GetString());
            Assert.True(friend.GetProperty("friend").GetBoolean());
        }

        var findAgain = await Oc(_bob, null, "find", alice, "--json");
        using (var json = JsonDocument.Parse(findAgain.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("friend").GetBoolean());
        }

        // The one running `oc online` is online itself.
        var online = await Oc(_alice, null, "online");
        Assert.True(online.ExitCode == 0, online.ToString());
        Assert.Contains($"{alice}  alice  online", online.Stdout, StringComparison.Ordinal);

        var remove = await Oc(_bob, null, "friends", "remove", alice);
        Assert.Equal($"{alice} is no longer your friend.\n", remove.Stdout);
        var none = await Oc(_alice, null, "friends");
        Assert.Equal("No friends yet. Add one with: oc friends add NUMBER\n", none.Stdout);
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

        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);
        AssertFailure(await Oc(_bob, null, "friends", "add", alice), $"{alice} is already your friend");
        Assert.Equal(0, (await Oc(_bob, null, "friends", "remove", alice)).ExitCode);
        AssertFailure(await Oc(_bob, null, "friends", "remove", alice), $"{alice} is not your friend");

        var usage = await Oc(_alice, null, "friends", "add", "12");
        Assert.True(usage.ExitCode == 2, usage.ToString());
        Assert.StartsWith("oc: '12' is not an OC number (six digits)", usage.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Friend_commands_need_a_login()
    {
        var run = await Oc(_alice, null, "friends", "--server", appliance.Server);
        AssertFailure(run, "not logged in; run oc login NUMBER");
    }
}
