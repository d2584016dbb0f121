using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>`oc room ...` and `oc rooms` as processes: three users in three config folders walk through a room's life.</summary>
public sealed partial class CliRoomsTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for rooms";
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();
    private readonly TempFolder _carol = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        _carol.Dispose();
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    [GeneratedRegex(@"^Created room #(\d{6}) ""Lunch"" \(invitation only\); invite friends with: oc room invite #\d{6} NUMBER\n$")]
    private static partial Regex CreatedText();

    private static Task<OcRun> Oc(TempFolder config, params string[] args) => OcProcess.RunAsync(config.Path, null, null, args);

    private async Task<string> RegisterAndLoginAsync(TempFolder config, string nick)
    {
        var register = await OcProcess.RunAsync(config.Path, Password + "\n", null, ["register", "--server", appliance.Server, "--nick", nick, "--password-stdin"]);
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        var login = await OcProcess.RunAsync(config.Path, Password + "\n", null, ["login", number, "--password-stdin"]);
        Assert.True(login.ExitCode == 0, login.ToString());
        return number;
    }

    private static void AssertSuccess(OcRun run, string stdout)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(stdout + "\n", run.Stdout);
    }

    /// <summary>Refused by the appliance: exit code 1 and its reason on one line.</summary>
    private static void AssertRefused(OcRun run, string reason) => AssertFailure(run, "the appliance refused: " + reason);

    private static void AssertFailure(OcRun run, string message, int exitCode = 1)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.StartsWith("oc: " + message, run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
    }

    private static async Task BefriendAsync(TempFolder a, TempFolder b, string aNumber, string bNumber)
    {
        Assert.Equal(0, (await Oc(a, "friends", "add", bNumber)).ExitCode);
        Assert.Equal(0, (await Oc(b, "friends", "accept", aNumber)).ExitCode);
    }

    [Fact]
    public async Task A_room_is_created_a_friend_invited_accepts_a_stranger_is_refused_and_the_owner_kicks_and_hands_over()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        string carol = await RegisterAndLoginAsync(_carol, "carol");
        await BefriendAsync(_alice, _bob, alice, bob);
        await BefriendAsync(_alice, _carol, alice, carol);

        AssertSuccess(await Oc(_alice, "rooms"), "No rooms yet. Create one with: oc room create NAME, or join an open one with: oc room join ROOM");
        var created = await Oc(_alice, "room", "create", "Lunch");
        Assert.True(created.ExitCode == 0, created.ToString());
        string room = "#" + CreatedText().Match(created.Stdout).Groups[1].Value;
        Assert.NotEqual("#", room);

        // A stranger to the room is refused, with one line and exit code 1.
        AssertRefused(await Oc(_bob, "room", "members", room), $"you are not a member of room {room}");
        AssertRefused(await Oc(_bob, "room", "join", room), $"room {room} is by invitation only");

        AssertSuccess(await Oc(_alice, "room", "invite", room, bob), $"Invited {bob} to {room}; they become a member when they accept.");
        AssertSuccess(await Oc(_alice, "room", "invite", room, carol), $"Invited {carol} to {room}; they become a member when they accept.");
        var invites = await Oc(_bob, "room", "invites", "--json");
        using (var json = JsonDocument.Parse(invites.Stdout))
        {
            var invitation = Assert.Single(json.RootElement.GetProperty("invitations").EnumerateArray().ToList());
            Assert.Equal(room[1..], invitation.GetProperty("room").GetUInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("alice", invitation.GetProperty("fromNick").GetString());
        }
        AssertSuccess(await Oc(_bob, "room", "accept", room), $"You are a member of {room} \"Lunch\" (2 members).");
        AssertSuccess(await Oc(_carol, "room", "decline", room), $"Declined the invitation to {room}.");
        AssertSuccess(await Oc(_carol, "room", "invites"), "No room invitations.");

        var members = await Oc(_bob, "room", "members", room, "--json");
        using (var json = JsonDocument.Parse(members.Stdout))
        {
            var list = json.RootElement.GetProperty("members").EnumerateArray()
                .Select(m => (m.GetProperty("nick").GetString(), m.GetProperty("owner").GetBoolean())).OrderBy(m => m.Item1).ToList();
            Assert.Equal([("alice", true), ("bob", false)], list);
        }

        // Owner-only commands are refused to others; the owner hands over, then may leave.
        AssertRefused(await Oc(_bob, "room", "kick", room, alice), $"only the owner of room {room} may do that");
        AssertFailure(await Oc(_alice, "room", "leave", room), $"you own room {room}: give it to another member first");
        AssertSuccess(await Oc(_alice, "room", "owner", room, bob), $"{bob} owns {room} now.");
        AssertSuccess(await Oc(_bob, "room", "kick", room, alice), $"Removed {alice} from {room}.");
        AssertSuccess(await Oc(_alice, "rooms", "--json"), "{\"rooms\":[]}");
        var bobRooms = await Oc(_bob, "rooms");
        AssertSuccess(bobRooms, $"{room}  Lunch  1 member  invitation only  (yours)");

        // Wrong command lines: exit code 2 before anything is sent.
        AssertFailure(await Oc(_bob, "room", "join", "#12"), "'#12' is not a room id (#123456, six digits)", exitCode: 2);
    }

    [Fact]
    public async Task Oc_listen_shows_an_invitation_and_who_joins_and_leaves_with_the_rooms_name()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        await BefriendAsync(_alice, _bob, alice, bob);
        var created = await Oc(_alice, "room", "create", "Lunch");
        string id = CreatedText().Match(created.Stdout).Groups[1].Value;
        Assert.True(id.Length == 6, created.ToString());
        string room = "#" + id;

        await using var listen = RunningOc.Start(_bob.Path, "listen");
        await listen.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));
        await using var json = RunningOc.Start(_alice.Path, "listen", "--json");
        await json.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));

        Assert.Equal(0, (await Oc(_alice, "room", "invite", room, bob)).ExitCode);
        var (invited, _) = await listen.StdoutLineAsync(l => l.Contains("invites you", StringComparison.Ordinal));
        Assert.Equal($"* alice ({alice}) invites you to {room} Lunch: oc room accept {room} or oc room decline {room}", invited);

        Assert.Equal(0, (await Oc(_bob, "room", "accept", room)).ExitCode);
        // (Alice's own "joined" of the creation came first, from the room's stream at the start.)
        var (joined, _) = await json.StdoutLineAsync(l => l.Contains("\"type\":\"room\"", StringComparison.Ordinal) && l.Contains("\"nick\":\"bob\"", StringComparison.Ordinal));
        using (var document = JsonDocument.Parse(joined))
        {
            var e = document.RootElement;
            Assert.Equal(("joined", uint.Parse(id, System.Globalization.CultureInfo.InvariantCulture), "Lunch", "bob"),
                (e.GetProperty("event").GetString(), e.GetProperty("room").GetUInt32(), e.GetProperty("roomName").GetString(), e.GetProperty("nick").GetString()));
            Assert.Equal(alice, e.GetProperty("by").GetUInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(0, (await Oc(_alice, "room", "kick", room, bob)).ExitCode);
        // The room stream's entry of the kick (the ROOM_EVENT of the same change is not shown twice).
        var (kicked, _) = await listen.StdoutLineAsync(l => l.Contains("kicked", StringComparison.Ordinal));
        Assert.Matches($@"^\[\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}\] \[{room} Lunch\] \* you were kicked by alice$", kicked);
    }

    [Fact]
    public async Task Oc_chat_lists_rooms_and_members_and_refuses_a_room_one_is_not_in()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        await RegisterAndLoginAsync(_bob, "bob");
        var created = await Oc(_alice, "room", "create", "Lunch");
        string room = "#" + CreatedText().Match(created.Stdout).Groups[1].Value;
        Assert.True(room.Length == 7, created.ToString());

        var chat = await OcProcess.RunAsync(_alice.Path, $"/rooms\n/members {room}\n/members nonsense\n/quit\n", null, ["chat"]);
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains($"{room}  Lunch  1 member  (yours)", chat.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{alice}  alice  online  owner", chat.Stdout, StringComparison.Ordinal);
        Assert.Contains("/members takes a room: /members #123456", chat.Stdout + chat.Stderr, StringComparison.Ordinal);

        var stranger = await OcProcess.RunAsync(_bob.Path, $"/members {room}\n/rooms\n/quit\n", null, ["chat"]);
        Assert.True(stranger.ExitCode == 0, stranger.ToString());
        Assert.Contains($"you are not a member of room {room}", stranger.Stdout + stranger.Stderr, StringComparison.Ordinal);
        Assert.Contains("No rooms yet", stranger.Stdout, StringComparison.Ordinal);
    }
}
