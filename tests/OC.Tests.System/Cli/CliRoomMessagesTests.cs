using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>
/// Issue 14, item 4: room messages through the real `oc` against the real appliance: oc send
/// '#ROOM', oc history --room, oc listen, oc chat's /to #ROOM, /rooms and /members, oc rooms' unread.
/// </summary>
public sealed partial class CliRoomMessagesTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for room messages";
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

    [GeneratedRegex(@"^Created room #(\d{6}) ")]
    private static partial Regex CreatedText();

    // "[2026-11-25 18:00] " before each history line.
    [GeneratedRegex(@"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\] ")]
    private static partial Regex TimePrefix();

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

    private static async Task Succeeds(TempFolder config, params string[] args)
    {
        var run = await Oc(config, args);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    /// <summary>Alice, Bob and Carol, Alice a friend of both; Alice owns "Lunch" and Bob accepted her invitation. Returns the room's id (six digits).</summary>
    private async Task<(string Alice, string Bob, string Carol, string Room)> RoomAsync()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        string carol = await RegisterAndLoginAsync(_carol, "carol");
        await Succeeds(_alice, "friends", "add", bob);
        await Succeeds(_bob, "friends", "accept", alice);
        await Succeeds(_alice, "friends", "add", carol);
        await Succeeds(_carol, "friends", "accept", alice);
        var created = await Oc(_alice, "room", "create", "Lunch");
        string room = CreatedText().Match(created.Stdout).Groups[1].Value;
        Assert.True(room.Length == 6, created.ToString());
        await Succeeds(_alice, "room", "invite", room, bob);
        await Succeeds(_bob, "room", "accept", "#" + room);
        return (alice, bob, carol, room);
    }

    /// <summary>The lines of a text history without their times.</summary>
    private static List<string> Bodies(OcRun history)
    {
        Assert.True(history.ExitCode == 0, history.ToString());
        return [.. history.Stdout.TrimEnd('\n').Split('\n').Select(l => TimePrefix().Replace(l, ""))];
    }

    private static void AssertOneLineFailure(OcRun run, int exitCode, string contains)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("oc: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(contains, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task A_message_sent_to_a_room_is_in_a_members_history_after_the_line_of_their_joining()
    {
        var (alice, bob, _, room) = await RoomAsync();

        var sent = await Oc(_alice, "send", "#" + room, "hi");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Matches($@"^Sent to #{room} \(seq \d+\)\.\n$", sent.Stdout);

        Assert.Equal(["* bob joined (invited by alice)", "alice: hi"], Bodies(await Oc(_bob, "history", "--room", room)));

        // --room, a name instead of the id, and --json: each line parses, with the room and the kind.
        var json = await Oc(_alice, "send", "--room", "Lunch", "--json", "lunch", "at", "12?");
        Assert.True(json.ExitCode == 0, json.ToString());
        ulong seq;
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(uint.Parse(room, CultureInfo.InvariantCulture), document.RootElement.GetProperty("room").GetUInt32());
            seq = document.RootElement.GetProperty("seq").GetUInt64();
        }

        var page = await Oc(_bob, "history", "#Lunch", "--json");
        Assert.True(page.ExitCode == 0, page.ToString());
        var entries = page.Stdout.TrimEnd('\n').Split('\n').Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(["joined", "text", "text"], entries.Select(e => e.GetProperty("kind").GetString()));
        Assert.All(entries, e => Assert.Equal(room, e.GetProperty("room").GetUInt32().ToString("D6", CultureInfo.InvariantCulture)));
        Assert.Equal(bob, entries[0].GetProperty("subject").GetUInt32().ToString("D6", CultureInfo.InvariantCulture));
        Assert.Equal(("lunch at 12?", seq), (entries[2].GetProperty("text").GetString(), entries[2].GetProperty("seq").GetUInt64()));
        Assert.Equal(alice, entries[2].GetProperty("from").GetUInt32().ToString("D6", CultureInfo.InvariantCulture));

        // The owner's history starts with the room's creation; paging points to the older entries.
        var owner = Bodies(await Oc(_alice, "history", "#" + room, "--limit", "2"));
        Assert.Matches($@"^\(older messages: oc history --room {room} --before \d+\)$", owner[0]);
        Assert.Equal(["alice: hi", "alice: lunch at 12?"], owner[1..]);
        Assert.Equal(["* alice joined", "* bob joined (invited by alice)", "alice: hi", "alice: lunch at 12?"], Bodies(await Oc(_alice, "history", "#" + room)));
    }

    [Fact]
    public async Task A_non_member_is_refused_on_one_line_with_exit_code_1_and_a_wrong_room_is_a_usage_error()
    {
        var (_, _, _, room) = await RoomAsync();

        AssertOneLineFailure(await Oc(_carol, "send", "#" + room, "let me in"), 1, "not a member");
        AssertOneLineFailure(await Oc(_carol, "send", "--room", room, "let me in"), 1, "not a member");
        AssertOneLineFailure(await Oc(_carol, "history", "--room", room), 1, "not a member");
        AssertOneLineFailure(await Oc(_carol, "send", "#Lunch", "hi"), 1, "no room of yours is called 'Lunch'");
        AssertOneLineFailure(await Oc(_carol, "send", "#", "hi"), 2, "is not a room");
        AssertOneLineFailure(await Oc(_carol, "send", "#" + room), 2, "the text of the message is missing");
        AssertOneLineFailure(await Oc(_carol, "history", "123456", "--room", room), 2, "not both");

        // Nothing of Carol's reached the room.
        Assert.DoesNotContain(Bodies(await Oc(_alice, "history", "#" + room)), l => l.Contains("let me in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Oc_listen_shows_room_messages_and_changes_once_with_the_rooms_name_and_as_json_with_the_room()
    {
        var (alice, _, carol, room) = await RoomAsync();
        await using var listen = RunningOc.Start(_bob.Path, "listen");
        await listen.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));
        await using var json = RunningOc.Start(_bob.Path, "listen", "--json");
        await json.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));

        await Succeeds(_alice, "send", "#" + room, "hi @bob");
        var (line, _) = await listen.StdoutLineAsync(l => l.Contains("hi @bob", StringComparison.Ordinal));
        // Not a terminal: no highlight, the text as it was sent.
        Assert.Equal($"[#{room} Lunch] alice: hi @bob", TimePrefix().Replace(line, ""));

        var (message, _) = await json.StdoutLineAsync(l => l.Contains("\"roomMessage\"", StringComparison.Ordinal));
        using (var document = JsonDocument.Parse(message))
        {
            var e = document.RootElement;
            Assert.Equal(("roomMessage", room, "Lunch", "alice", "hi @bob", true),
                (e.GetProperty("type").GetString(), e.GetProperty("room").GetUInt32().ToString("D6", CultureInfo.InvariantCulture),
                 e.GetProperty("roomName").GetString(), e.GetProperty("fromNick").GetString(), e.GetProperty("text").GetString(), e.GetProperty("mention").GetBoolean()));
            Assert.Equal(alice, e.GetProperty("from").GetUInt32().ToString("D6", CultureInfo.InvariantCulture));
        }

        // A change of membership: the stream's entry is shown, the ROOM_EVENT of the same change is not.
        await Succeeds(_alice, "room", "invite", room, carol);
        await Succeeds(_carol, "room", "accept", "#" + room);
        await Succeeds(_alice, "send", "#" + room, "welcome carol");
        var (welcome, between) = await listen.StdoutLineAsync(l => l.Contains("welcome carol", StringComparison.Ordinal));
        Assert.Equal($"[#{room} Lunch] alice: welcome carol", TimePrefix().Replace(welcome, ""));
        Assert.Equal([$"[#{room} Lunch] * carol joined (invited by alice)"],
            between.Where(l => l.Contains("carol", StringComparison.Ordinal)).Select(l => TimePrefix().Replace(l, "")));

        var (joined, skipped) = await json.StdoutLineAsync(l => l.Contains("welcome carol", StringComparison.Ordinal));
        var changes = skipped.Select(l => JsonDocument.Parse(l).RootElement.Clone()).Where(e => e.GetProperty("type").GetString() == "room").ToList();
        var change = Assert.Single(changes);
        Assert.Equal(("joined", carol, alice, room),
            (change.GetProperty("event").GetString(), change.GetProperty("ocNumber").GetUInt32().ToString("D6", CultureInfo.InvariantCulture),
             change.GetProperty("by").GetUInt32().ToString("D6", CultureInfo.InvariantCulture), change.GetProperty("room").GetUInt32().ToString("D6", CultureInfo.InvariantCulture)));
        Assert.True(change.GetProperty("seq").GetUInt64() > 0);
        Assert.Contains(room, joined, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_sent_to_a_room_is_announced_once_in_oc_listen_by_the_rooms_stream()
    {
        var (alice, _, _, room) = await RoomAsync();
        string path = Path.Combine(_alice.Path, "menu.txt");
        await File.WriteAllTextAsync(path, "soup, bread");
        await using var listen = RunningOc.Start(_bob.Path, "listen");
        await listen.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));
        await using var json = RunningOc.Start(_bob.Path, "listen", "--json");
        await json.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));

        var sent = await Oc(_alice, "file", "send", "#" + room, path, "--json");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        string fileId = JsonDocument.Parse(sent.Stdout.TrimEnd('\n').Split('\n')[^1]).RootElement.GetProperty("fileId").GetString()!;

        // FILE_RECEIVED and the stream's File entry both reach a live session: the entry's line is
        // shown, and nothing else about the file up to a message sent after it.
        var (shown, _) = await listen.StdoutLineAsync(l => l.Contains("menu.txt", StringComparison.Ordinal));
        Assert.Equal($"[#{room} Lunch] * alice sent file menu.txt ({fileId})", TimePrefix().Replace(shown, ""));
        var (notice, _) = await json.StdoutLineAsync(l => l.Contains("menu.txt", StringComparison.Ordinal));
        using (var document = JsonDocument.Parse(notice))
        {
            var e = document.RootElement;
            Assert.Equal(("roomFile", room, fileId, "menu.txt", alice),
                (e.GetProperty("type").GetString(), e.GetProperty("room").GetUInt32().ToString("D6", CultureInfo.InvariantCulture),
                 e.GetProperty("fileId").GetString(), e.GetProperty("name").GetString(), e.GetProperty("from").GetUInt32().ToString("D6", CultureInfo.InvariantCulture)));
        }

        await Succeeds(_alice, "send", "#" + room, "that was the menu");
        var (_, between) = await listen.StdoutLineAsync(l => l.Contains("that was the menu", StringComparison.Ordinal));
        Assert.DoesNotContain(between, l => l.Contains("menu.txt", StringComparison.Ordinal));
        var (_, skipped) = await json.StdoutLineAsync(l => l.Contains("that was the menu", StringComparison.Ordinal));
        Assert.DoesNotContain(skipped, l => l.Contains("menu.txt", StringComparison.Ordinal));

        // The history says it too.
        Assert.Contains($"* alice sent file menu.txt ({fileId})", Bodies(await Oc(_bob, "history", "#" + room)));
    }

    [Fact]
    public async Task A_room_message_that_came_while_away_is_unread_in_oc_rooms_until_oc_history_shows_it()
    {
        var (alice, bob, _, room) = await RoomAsync();
        await Succeeds(_alice, "send", "#" + room, "one");
        await Succeeds(_alice, "send", "#" + room, "two");
        await Succeeds(_bob, "send", "#" + room, "mine does not count");

        var rooms = await Oc(_bob, "rooms");
        Assert.True(rooms.ExitCode == 0, rooms.ToString());
        Assert.Equal($"#{room}  Lunch  2 members  invitation only  2 unread\n", rooms.Stdout);
        var json = await Oc(_bob, "rooms", "--json");
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var entry = Assert.Single(document.RootElement.GetProperty("rooms").EnumerateArray().ToList());
            Assert.Equal((2, false), (entry.GetProperty("unread").GetInt32(), entry.GetProperty("unreadMore").GetBoolean()));
        }

        // A conversation's history does not make the room's messages seen (one cursor for both: it
        // stops at the first entry it did not show).
        await Succeeds(_alice, "send", bob, "and a word for you alone");
        Assert.Contains("alice: and a word for you alone", (await Oc(_bob, "history", alice)).Stdout, StringComparison.Ordinal);
        Assert.Equal($"#{room}  Lunch  2 members  invitation only  2 unread\n", (await Oc(_bob, "rooms")).Stdout);

        Assert.Equal(0, (await Oc(_bob, "history", "#" + room)).ExitCode);
        Assert.Equal($"#{room}  Lunch  2 members  invitation only\n", (await Oc(_bob, "rooms")).Stdout);
    }

    [Fact]
    public async Task Oc_chat_talks_in_a_room_with_to_and_counts_what_came_in_another_conversation()
    {
        var (alice, _, _, room) = await RoomAsync();
        await using var chat = RunningOc.Start(_bob.Path, "chat");
        await chat.StdoutLineAsync(l => l.StartsWith("* online:", StringComparison.Ordinal) || l.StartsWith("* no friend is online", StringComparison.Ordinal));

        // Talking to Alice alone, a room message is shown with its room and counted as unread there.
        await chat.WriteLineAsync("/to " + alice);
        await chat.WriteLineAsync("/to");
        await chat.StdoutLineAsync(l => l == $"Talking to alice ({alice}).");
        await Succeeds(_alice, "send", "#" + room, "anyone for lunch?");
        await chat.StdoutLineAsync(l => l.EndsWith($"[#{room} Lunch] alice: anyone for lunch?", StringComparison.Ordinal));
        await chat.WriteLineAsync("/rooms");
        await chat.StdoutLineAsync(l => l == $"#{room}  Lunch  2 members  1 unread");

        await chat.WriteLineAsync("/to #Lunch");
        await chat.StdoutLineAsync(l => l == $"Talking in #{room} Lunch (2 members); /members lists them.");
        await chat.WriteLineAsync("me!");
        await chat.StdoutLineAsync(l => l.EndsWith($"[#{room} Lunch] you: me!", StringComparison.Ordinal));
        await chat.WriteLineAsync("/members");
        await chat.StdoutLineAsync(l => l.StartsWith(alice + "  alice  ", StringComparison.Ordinal) && l.EndsWith("owner", StringComparison.Ordinal));
        await chat.WriteLineAsync("/rooms");
        await chat.StdoutLineAsync(l => l == $"#{room}  Lunch  2 members");

        // /send in a room: a room file, which the room's stream announces.
        string path = Path.Combine(_bob.Path, "minutes.txt");
        await File.WriteAllTextAsync(path, "we ate");
        await chat.WriteLineAsync("/send " + path);
        var (sentFile, _) = await chat.StdoutLineAsync(l => l.StartsWith("* sent minutes.txt", StringComparison.Ordinal));
        Assert.Matches($@"^\* sent minutes\.txt \(6 B\) to #{room} Lunch as file [0-9a-f]{{16}}$", sentFile);
        await chat.WriteLineAsync("/quit");
        var (exitCode, _) = await chat.WaitForExitAsync();
        Assert.Equal(0, exitCode);

        // Sent with ROOM_SEND once /quit had waited for it.
        var history = Bodies(await Oc(_alice, "history", "#" + room));
        Assert.Contains("bob: me!", history);
        Assert.Contains($"* bob sent file minutes.txt ({sentFile[^16..]})", history);
    }

    [Fact]
    public async Task On_a_terminal_a_mention_of_the_user_is_highlighted_in_history_unless_NO_COLOR()
    {
        var (_, _, _, room) = await RoomAsync();
        await Succeeds(_alice, "send", "#" + room, "@bob and @carol");

        // The test's own environment must not decide: TERM set, NO_COLOR cleared, then set.
        var colours = new Dictionary<string, string> { ["TERM"] = "xterm", ["NO_COLOR"] = "" };
        var terminal = await OcProcess.RunOnTerminalAsync(_bob.Path, colours, "history", "#" + room);
        Assert.True(terminal.ExitCode == 0, terminal.ToString());
        Assert.Contains("alice: \u001b[1;7m@bob\u001b[0m and @carol", terminal.Stdout, StringComparison.Ordinal);

        var noColor = await OcProcess.RunOnTerminalAsync(_bob.Path, new Dictionary<string, string> { ["TERM"] = "xterm", ["NO_COLOR"] = "1" }, "history", "#" + room);
        Assert.True(noColor.ExitCode == 0, noColor.ToString());
        Assert.Contains("alice: @bob and @carol", noColor.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[1;7m", noColor.Stdout, StringComparison.Ordinal);

        // Not a terminal (a pipe): no highlight either.
        var piped = await Oc(_bob, "history", "#" + room);
        Assert.Contains("alice: @bob and @carol\n", piped.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', piped.Stdout);
    }
}
