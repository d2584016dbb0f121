using System.Security.Cryptography;
using System.Text.RegularExpressions;
using OC.Tests.EndToEnd;
using OC.Tests.Integration;
using Xunit.Abstractions;

namespace OC.Tests.Cli;

/// <summary>
/// `oc ui`, the full-screen client, as a person uses it: the real oc in a real terminal (tmux),
/// keys typed, the screen read back; the other users are `oc send`, `oc listen` and
/// `oc file send` processes on the same real appliance.
/// </summary>
public sealed partial class CliUiTests(CliApplianceFixture appliance, ITestOutputHelper output) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for the screen";
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();
    private readonly TempFolder _carol = new();
    private readonly TempFolder _work = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        _carol.Dispose();
        _work.Dispose();
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    private static async Task<OcRun> Oc(TempFolder config, params string[] args)
    {
        var run = await OcProcess.RunAsync(config.Path, null, null, args);
        Assert.True(run.ExitCode == 0, $"oc {string.Join(' ', args)}: {run}");
        return run;
    }

    private async Task<string> RegisterAndLoginAsync(TempFolder config, string nick)
    {
        var register = await OcProcess.RunAsync(config.Path, Password + "\n", null, "register", "--server", appliance.Server, "--nick", nick, "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        var login = await OcProcess.RunAsync(config.Path, Password + "\n", null, "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return number;
    }

    /// <summary>Alice with two friends, Bob and Carol.</summary>
    private async Task<(string Alice, string Bob, string Carol)> FriendsAsync()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        string carol = await RegisterAndLoginAsync(_carol, "carol");
        await Oc(_alice, "friends", "add", bob);
        await Oc(_alice, "friends", "add", carol);
        await Oc(_bob, "friends", "accept", alice);
        await Oc(_carol, "friends", "accept", alice);
        return (alice, bob, carol);
    }

    private bool TmuxMissing()
    {
        if (TmuxScreen.Available()) return false;
        RequiredTool.Missing(output, "no tmux: apt-get install -y tmux");
        return true;
    }

    /// <summary>The screen's list row of a friend (the pane left of the first '│').</summary>
    private static string ListRow(string[] screen, string nick) =>
        screen.Select(l => l.Split('│')[0]).FirstOrDefault(l => Regex.IsMatch(l, $@"^[●○] {nick}\b")) ?? "";

    /// <summary>oc ui in a terminal, once its session is live (keys typed before it is in raw mode would be echoed by the terminal, not read).</summary>
    private static async Task<TmuxScreen> StartUiAsync(TempFolder config, TempFolder work, int width = 80, int height = 24, params string[] extra)
    {
        var screen = await TmuxScreen.StartAsync(config.Path, work.Path, width, height, null, ["ui", .. extra]);
        await screen.WaitForAsync(s => s[0].Contains(" · connected · ", StringComparison.Ordinal), "the header saying connected");
        return screen;
    }

    private static async Task OpenAsync(TmuxScreen screen, string nick)
    {
        await screen.KeysAsync("C-k");
        await screen.TypeAsync(nick);
        await screen.WaitForTextAsync("│> " + nick);
        await screen.KeysAsync("Enter");
        await screen.WaitForAsync(s => s.Length > 1 && s[1].Contains($"│ {nick} (", StringComparison.Ordinal), $"{nick}'s conversation open");
    }

    /// <summary>A message typed on the screen shows at once with "…"; the mark goes when the appliance has stored it (SENT).</summary>
    private static Task WaitForStoredAsync(TmuxScreen screen, string line) =>
        screen.WaitForAsync(s => s.Any(l => l.Contains(line, StringComparison.Ordinal) && !l.Contains('…', StringComparison.Ordinal)), $"\"{line}\" stored");

    [Fact]
    public async Task Messages_appear_live_and_the_unread_count_of_another_conversation_rises_notifies_and_clears_when_opened()
    {
        if (TmuxMissing()) return;
        var (alice, _, carol) = await FriendsAsync();
        await Oc(_bob, "send", alice, "before the screen opened");

        await using var screen = await StartUiAsync(_alice, _work);
        var start = await screen.WaitForAsync(s => ListRow(s, "bob").Contains("(1)", StringComparison.Ordinal), "bob's unread message counted");
        Assert.Contains("connected", start[0], StringComparison.Ordinal);
        Assert.DoesNotContain("(", ListRow(start, "carol"), StringComparison.Ordinal);

        await OpenAsync(screen, "bob");
        var opened = await screen.WaitForTextAsync("bob: before the screen opened");
        Assert.DoesNotContain("(1)", ListRow(opened, "bob"), StringComparison.Ordinal);

        // Bob writes while the conversation is in view: it appears, with no unread count and no notification.
        await Oc(_bob, "send", alice, "live from bob 你好 🎉");
        await screen.WaitForTextAsync("bob: live from bob 你好 🎉");
        Assert.DoesNotContain("\e]9;", screen.Raw, StringComparison.Ordinal);

        // Carol writes: her conversation is not in view, so her count rises and the terminal is asked to notify.
        await Oc(_carol, "send", alice, "psst \e[31mred");
        var unread = await screen.WaitForAsync(s => ListRow(s, "carol").Contains("(1)", StringComparison.Ordinal), "carol's unread count");
        Assert.DoesNotContain("psst", string.Join('\n', unread), StringComparison.Ordinal);
        await screen.WaitForRawAsync("\e]9;oc: carol: psst \uFFFD[31mred", "the OSC 9 notification (escape in the text made visible)");
        Assert.Contains("\e]777;notify;oc;carol: psst", screen.Raw, StringComparison.Ordinal);
        Assert.Contains("\a", screen.Raw, StringComparison.Ordinal);

        await OpenAsync(screen, "carol");
        var read = await screen.WaitForTextAsync("carol: psst �[31mred");
        Assert.DoesNotContain("(1)", ListRow(read, "carol"), StringComparison.Ordinal);

        // Alice answers from the screen: Carol's history has it, and the screen marks it delivered once Carol is live.
        await screen.TypeAsync("hello carol");
        await screen.KeysAsync("Enter");
        await WaitForStoredAsync(screen, "you: hello carol");
        var history = await Oc(_carol, "history", alice);
        Assert.Contains("alice: hello carol", history.Stdout, StringComparison.Ordinal);

        // The terminal loses the focus (mode 1004): a message to the conversation in view notifies now.
        await screen.TypeAsync("\e[O");
        await Oc(_carol, "send", alice, "are you there?");
        await screen.WaitForRawAsync("\e]9;oc: carol: are you there?", "the notification while the terminal is not focused");

        await screen.KeysAsync("C-q");
        var (code, before, after) = await screen.WaitForExitAsync();
        Assert.Equal(0, code);
        Assert.Equal(before, after);
        Assert.False(await screen.AlternateScreenAsync());
    }

    [Fact]
    public async Task A_friend_coming_online_and_going_offline_shows_in_the_list()
    {
        if (TmuxMissing()) return;
        await FriendsAsync();
        await using var screen = await StartUiAsync(_alice, _work);
        await screen.WaitForAsync(s => ListRow(s, "bob").StartsWith('○'), "bob offline");

        await using (var listen = RunningOc.Start(_bob.Path, "listen"))
        {
            await listen.StderrLineAsync(line => line.StartsWith("oc: listening as ", StringComparison.Ordinal));
            await screen.WaitForAsync(s => ListRow(s, "bob").StartsWith('●'), "bob online");
        }

        await screen.WaitForAsync(s => ListRow(s, "bob").StartsWith('○'), "bob offline again");
        await screen.KeysAsync("C-q");
        Assert.Equal(0, (await screen.WaitForExitAsync()).ExitCode);
    }

    [Fact]
    public async Task A_file_from_a_friend_shows_in_the_panel_and_downloads_byte_identical()
    {
        if (TmuxMissing()) return;
        var (alice, _, _) = await FriendsAsync();
        await using var screen = await StartUiAsync(_alice, _work);
        await OpenAsync(screen, "bob");

        using var sent = new TempFolder();
        string source = Path.Combine(sent.Path, "holiday.bin");
        byte[] content = RandomNumberGenerator.GetBytes(700_000);
        await File.WriteAllBytesAsync(source, content);
        await Oc(_bob, "file", "send", alice, source);
        await screen.WaitForTextAsync("bob sent holiday.bin");

        await screen.KeysAsync("F2");
        var panel = await screen.WaitForTextAsync("Files (1)");
        Assert.Contains(panel, l => l.Contains("holiday.bin", StringComparison.Ordinal) && l.IndexOf('│') < l.IndexOf("holiday.bin", StringComparison.Ordinal));

        // Tab: input, list, conversation, files.
        await screen.KeysAsync("Tab", "Tab", "Tab");
        await screen.WaitForAsync(s => s[1].Contains("Files (1)", StringComparison.Ordinal), "the files pane");
        await screen.KeysAsync("Enter");
        await screen.WaitForTextAsync("downloaded");
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_work.Path, "holiday.bin")));

        await screen.KeysAsync("C-q");
        Assert.Equal(0, (await screen.WaitForExitAsync()).ExitCode);
    }

    [Fact]
    public async Task At_80x24_every_pane_is_there_a_resize_redraws_and_ctrl_c_restores_the_terminal()
    {
        if (TmuxMissing()) return;
        await FriendsAsync();
        await using var screen = await StartUiAsync(_alice, _work);
        var small = await screen.WaitForAsync(s => ListRow(s, "carol").Length > 0 && s[0].Contains("connected", StringComparison.Ordinal), "the friends");
        Assert.True(small.Length >= 24);
        Assert.Contains("alice", small[0], StringComparison.Ordinal);
        Assert.Contains("Friends", small[1], StringComparison.Ordinal);
        Assert.Contains("No conversation open", small[1], StringComparison.Ordinal);
        Assert.StartsWith(">", small[22], StringComparison.Ordinal);
        Assert.Contains("Ctrl-Q quit", small[23], StringComparison.Ordinal);
        Assert.All(small.Take(24), l => Assert.True(l.Length <= 80, l));

        await screen.KeysAsync("F1");
        await screen.WaitForTextAsync("Keys (any key closes)");
        await screen.KeysAsync("Escape");
        await screen.WaitForAsync(s => !s.Any(l => l.Contains("Keys (any key closes)", StringComparison.Ordinal)), "the help closed");

        await screen.ResizeAsync(100, 30);
        await screen.WaitForAsync(s => s.Length >= 30 && s[29].Contains("Ctrl-Q quit", StringComparison.Ordinal), "the status row at the new bottom");

        await screen.KeysAsync("C-c");
        var (code, before, after) = await screen.WaitForExitAsync();
        Assert.Equal(130, code);
        Assert.Equal(before, after);
        Assert.False(await screen.AlternateScreenAsync());
    }

    [Fact]
    public async Task A_room_is_a_conversation_with_unread_counts_mentions_that_notify_and_messages_sent_from_the_screen()
    {
        if (TmuxMissing()) return;
        var (_, bob, _) = await FriendsAsync();
        var created = await Oc(_alice, "room", "create", "Lunch");
        string room = Regex.Match(created.Stdout, @"#(\d{6})").Groups[1].Value;
        await Oc(_alice, "room", "invite", "#" + room, bob);
        await Oc(_bob, "room", "accept", "#" + room);
        uint roomId = uint.Parse(room, System.Globalization.CultureInfo.InvariantCulture);

        // Bob speaks in the room through the protocol itself (his own session on the same appliance).
        int port = int.Parse(appliance.Server.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var bobConnection = await OC.Protocol.Client.OcConnection.ConnectAsync("127.0.0.1", port, "tests", appliance.Transport);
        await TestUsers.LoginAsync(bobConnection, uint.Parse(bob, System.Globalization.CultureInfo.InvariantCulture), Password);

        await using var screen = await StartUiAsync(_alice, _work);
        await screen.WaitForAsync(s => s.Any(l => l.StartsWith("# Lunch", StringComparison.Ordinal)), "the room in the list");
        await OpenAsync(screen, "bob");

        await OC.Protocol.Client.OcRoomMessages.SendAsync(bobConnection, roomId, "hello room");
        await screen.WaitForAsync(s => s.Any(l => l.StartsWith("# Lunch", StringComparison.Ordinal) && l.Split('│')[0].Contains("(1)", StringComparison.Ordinal)), "the room's unread count");
        await screen.WaitForRawAsync("\e]9;oc: Lunch: bob: hello room", "the notification for the room");

        await screen.KeysAsync("C-k");
        await screen.TypeAsync("lunch");
        await screen.WaitForTextAsync("│> lunch");
        await screen.KeysAsync("Enter");
        var open = await screen.WaitForTextAsync("bob: hello room");
        Assert.Contains($"#{room} Lunch", open[1], StringComparison.Ordinal);
        Assert.DoesNotContain(open, l => l.StartsWith("# Lunch", StringComparison.Ordinal) && l.Split('│')[0].Contains("(1)", StringComparison.Ordinal));

        // A mention notifies even in the conversation in view.
        await OC.Protocol.Client.OcRoomMessages.SendAsync(bobConnection, roomId, "@alice are you coming?");
        await screen.WaitForRawAsync("\e]9;oc: Lunch: bob: @alice are you coming?", "the notification for a mention");

        await screen.TypeAsync("on my way");
        await screen.KeysAsync("Enter");
        await WaitForStoredAsync(screen, "you: on my way");
        var (_, page) = await OC.Protocol.Client.OcRoomMessages.HistoryAsync(bobConnection, roomId, 0, 50);
        Assert.Contains(page, m => m.Text == "on my way");

        // Carol invites Alice to a room of hers: the invitation is listed, and accepted from the list.
        var games = await Oc(_carol, "room", "create", "Games");
        string gamesId = Regex.Match(games.Stdout, @"#(\d{6})").Groups[1].Value;
        await Oc(_carol, "room", "invite", "#" + gamesId, Regex.Match((await Oc(_alice, "whoami")).Stdout, @"\d{6}").Value);
        await screen.WaitForTextAsync($"# Games #{gamesId}");
        await screen.KeysAsync("Tab");
        for (int i = 0; i < 8; i++) await screen.KeysAsync("Down");
        await screen.KeysAsync("a");
        await screen.WaitForTextAsync($"joined #{gamesId} Games");
        var members = await Oc(_carol, "room", "members", "#" + gamesId);
        Assert.Contains("alice", members.Stdout, StringComparison.Ordinal);

        // Bob sends a file to the room: its entry shows, the panel lists it, and it downloads byte-identical.
        using var sent = new TempFolder();
        string source = Path.Combine(sent.Path, "minutes.bin");
        byte[] content = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(source, content);
        await Oc(_bob, "file", "send", "#" + room, source);
        await screen.WaitForTextAsync("bob sent the file minutes.bin");
        await screen.KeysAsync("F2");
        await screen.WaitForAsync(s => s.Any(l => l.Contains("│ minutes.bin", StringComparison.Ordinal)), "the room's file in the panel");
        await screen.KeysAsync("Tab", "Tab", "Enter"); // The focus was on the list: conversation, files; download.
        await screen.WaitForTextAsync("downloaded");
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_work.Path, "minutes.bin")));

        await screen.KeysAsync("C-q");
        Assert.Equal(0, (await screen.WaitForExitAsync()).ExitCode);
    }

    [Fact]
    public async Task Without_a_session_the_screen_registers_logs_in_and_refuses_a_wrong_password()
    {
        if (TmuxMissing()) return;
        await using (var screen = await TmuxScreen.StartAsync(_alice.Path, _work.Path, 80, 24, null, "--server", appliance.Server, "ui"))
        {
            await screen.WaitForTextAsync("Log in with your OC number and password");
            await screen.KeysAsync("F2");
            await screen.WaitForTextAsync("Register: choose a nickname and a password");
            await screen.TypeAsync("erin");
            await screen.KeysAsync("Enter");
            await screen.TypeAsync(Password);
            await screen.KeysAsync("Enter");
            await screen.TypeAsync(Password);
            var typed = await screen.WaitForAsync(s => s.Any(l => l.Contains("Password again:  ••", StringComparison.Ordinal)), "the second password, masked");
            Assert.DoesNotContain(typed, l => l.Contains(Password, StringComparison.Ordinal));
            await screen.KeysAsync("Enter");
            var client = await screen.WaitForAsync(s => s[0].Contains(" · connected · ", StringComparison.Ordinal), "the client, logged in");
            Assert.Matches(@"erin \d{6} *$", client[0]);
            await screen.KeysAsync("C-q");
            Assert.Equal(0, (await screen.WaitForExitAsync()).ExitCode);
        }

        var whoami = await Oc(_alice, "whoami");
        string number = Regex.Match(whoami.Stdout, @"\d{6}").Value;
        await Oc(_alice, "logout");
        using var work = new TempFolder();
        await using (var screen = await TmuxScreen.StartAsync(_alice.Path, work.Path, 80, 24, null, "ui"))
        {
            await screen.WaitForTextAsync("Log in with your OC number and password");
            await screen.TypeAsync(number);
            await screen.KeysAsync("Enter");
            await screen.TypeAsync("not the password");
            await screen.KeysAsync("Enter");
            await screen.WaitForTextAsync("wrong password");

            // The password field is emptied and keeps the cursor: typed again, it logs in.
            await screen.TypeAsync(Password);
            await screen.KeysAsync("Enter");
            await screen.WaitForAsync(s => s[0].Contains(" · connected · ", StringComparison.Ordinal), "the client, logged in");
            await screen.KeysAsync("C-q");
            Assert.Equal(0, (await screen.WaitForExitAsync()).ExitCode);
        }
    }

    [Fact]
    public async Task A_new_appliance_is_asked_about_before_the_screen_opens_and_a_no_leaves_nothing_behind()
    {
        if (TmuxMissing()) return;
        await using (var screen = await TmuxScreen.StartAsync(_alice.Path, _work.Path, 80, 24, null, trustFirstUse: false, "--server", appliance.Server, "ui"))
        {
            var asked = await screen.WaitForTextAsync("(yes/no)?");
            Assert.Contains(asked, l => l.Contains(appliance.Fingerprint, StringComparison.Ordinal));
            await screen.TypeAsync("no");
            await screen.KeysAsync("Enter");
            var (code, before, after) = await screen.WaitForExitAsync();
            Assert.Equal(1, code);
            Assert.Equal(before, after);
            Assert.False(File.Exists(Path.Combine(_alice.Path, "known-appliances.json")));
        }

        using var work = new TempFolder();
        await using (var screen = await TmuxScreen.StartAsync(_alice.Path, work.Path, 80, 24, null, trustFirstUse: false, "--server", appliance.Server, "ui"))
        {
            await screen.WaitForTextAsync("(yes/no)?");
            await screen.TypeAsync("yes");
            await screen.KeysAsync("Enter");
            await screen.WaitForTextAsync("Log in with your OC number and password");
            Assert.True(await screen.AlternateScreenAsync());
            await screen.KeysAsync("Escape");
            var (code, before, after) = await screen.WaitForExitAsync();
            Assert.Equal(0, code);
            Assert.Equal(before, after);
            Assert.Contains(appliance.Fingerprint, await File.ReadAllTextAsync(Path.Combine(_alice.Path, "known-appliances.json")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PageUp_pages_older_history_in_from_the_appliance_to_the_start_of_the_conversation()
    {
        if (TmuxMissing()) return;
        var (alice, bob, _) = await FriendsAsync();
        int port = int.Parse(appliance.Server.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await using (var bobConnection = await OC.Protocol.Client.OcConnection.ConnectAsync("127.0.0.1", port, "tests", appliance.Transport))
        {
            await TestUsers.LoginAsync(bobConnection, uint.Parse(bob, System.Globalization.CultureInfo.InvariantCulture), Password);
            uint to = uint.Parse(alice, System.Globalization.CultureInfo.InvariantCulture);
            // 55: within the rate limit's burst of 60, and two HISTORY pages of 50.
            for (int i = 1; i <= 55; i++) await OC.Protocol.Client.OcMessages.SendAsync(bobConnection, to, $"message {i:D3}");
        }

        // Seen before the screen opens (oc history moves the cursor): the conversation holds only
        // what HISTORY brings, 50 at a time.
        await Oc(_alice, "history", bob);
        await using var screen = await StartUiAsync(_alice, _work);
        await OpenAsync(screen, "bob");
        var newest = await screen.WaitForTextAsync("bob: message 055");
        Assert.DoesNotContain(newest, l => l.Contains("message 001", StringComparison.Ordinal));

        // Each PageUp shows older rows; past the oldest row loaded, the page before it comes in.
        for (int presses = 0; presses < 40; presses++)
        {
            var shown = await screen.CaptureAsync();
            if (shown.Any(l => l.Contains("bob: message 001", StringComparison.Ordinal))) break;
            await screen.KeysAsync("PageUp");
            await screen.WaitForAsync(s => !s.SequenceEqual(shown) || s.Any(l => l.Contains("loading", StringComparison.Ordinal)), "the view to move");
        }

        var oldest = await screen.WaitForTextAsync("bob: message 001");
        Assert.Contains(oldest, l => l.Contains("the start of the conversation", StringComparison.Ordinal));
        await screen.KeysAsync("C-q");
        Assert.Equal(0, (await screen.WaitForExitAsync()).ExitCode);
    }

    [Fact]
    public async Task NO_COLOR_draws_the_screen_without_colours_but_with_its_attributes()
    {
        if (TmuxMissing()) return;
        await FriendsAsync();
        var colourCode = new Regex(@"\e\[[0-9;]*;3[1-7]m");

        await using (var coloured = await StartUiAsync(_alice, _work))
        {
            await coloured.WaitForAsync(s => ListRow(s, "bob").Length > 0, "the friends");
            Assert.Matches(colourCode, coloured.Raw);
            await coloured.KeysAsync("C-q");
            await coloured.WaitForExitAsync();
        }

        using var work = new TempFolder();
        var noColor = new Dictionary<string, string> { ["NO_COLOR"] = "1" };
        await using var plain = await TmuxScreen.StartAsync(_alice.Path, work.Path, 80, 24, noColor, "ui");
        await plain.WaitForAsync(s => s[0].Contains(" · connected · ", StringComparison.Ordinal) && ListRow(s, "bob").Length > 0, "the friends");
        Assert.DoesNotMatch(colourCode, plain.Raw);
        Assert.Contains("\e[0;7m", plain.Raw, StringComparison.Ordinal); // The header, reversed.
        await plain.KeysAsync("C-q");
        Assert.Equal(0, (await plain.WaitForExitAsync()).ExitCode);
    }
}
