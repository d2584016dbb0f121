using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using OC.Protocol.Client;
using OC.Tests.Http;
using OC.Tests.Integration;

namespace OC.Tests.Cli;

/// <summary>`oc file send|list|get` as processes, two users in two config folders, real files in temp folders.</summary>
public sealed partial class CliFilesTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for files";
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();
    private readonly TempFolder _work = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        _work.Dispose();
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    private static Task<OcRun> Oc(TempFolder config, params string[] args) => OcProcess.RunAsync(config.Path, null, null, args);

    private async Task<string> RegisterAndLoginAsync(TempFolder config, string nick)
    {
        var register = await OcProcess.RunAsync(config.Path, Password + "\n", null, "register", "--server", appliance.Server, "--nick", nick, "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        var login = await OcProcess.RunAsync(config.Path, Password + "\n", null, "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return number;
    }

    private async Task<(string Alice, string Bob)> FriendsAsync()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        var add = await Oc(_alice, "friends", "add", bob);
        Assert.True(add.ExitCode == 0, add.ToString());
        var accept = await Oc(_bob, "friends", "accept", alice);
        Assert.True(accept.ExitCode == 0, accept.ToString());
        return (alice, bob);
    }

    private static JsonElement LastJson(OcRun run)
    {
        string line = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    [GeneratedRegex(@"\* sent holiday\.bin \([^)]+\) to bob as file ([0-9a-f]{16})")]
    private static partial Regex SentInChat();

    [Fact]
    public async Task In_oc_chat_send_and_get_move_a_file_and_listen_announces_it_offline_and_live()
    {
        var (alice, bob) = await FriendsAsync();
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
        string source = Path.Combine(_work.Path, "holiday.bin");
        await File.WriteAllBytesAsync(source, content);

        // /send in alice's chat, while bob is offline; /quit waits for it.
        var chat = await OcProcess.RunAsync(_alice.Path, $"/to {bob}\n/send {source}\n/quit\n", null, "chat");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains("* sending holiday.bin to bob", chat.Stdout, StringComparison.Ordinal);
        string id = SentInChat().Match(chat.Stdout).Groups[1].Value;
        Assert.True(id.Length == 16, chat.ToString());

        // Bob's next oc listen tells him, with the command that gets it.
        await using (var listen = RunningOc.Start(_bob.Path, "listen"))
        {
            var (line, _) = await listen.StdoutLineAsync(l => l.Contains("sent you", StringComparison.Ordinal));
            Assert.Equal($"* alice sent you holiday.bin (3.0 MiB), file {id}: oc file get {id}", line);
        }

        // /get in bob's chat saves it, checked.
        string target = Path.Combine(_work.Path, "got.bin");
        var get = await OcProcess.RunAsync(_bob.Path, $"/get {id} {target}\n/quit\n", null, "chat");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains($"* alice sent you holiday.bin (3.0 MiB), file {id}: /get {id}", get.Stdout, StringComparison.Ordinal);
        Assert.Contains($"* saved holiday.bin (3.0 MiB) to {target}; SHA-256 checked", get.Stdout, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));

        // A file sent while bob listens comes as it completes (--json: the file's entry).
        await using (var live = RunningOc.Start(_bob.Path, "listen", "--json"))
        {
            await live.StderrLineAsync(l => l.StartsWith("oc: listening as ", StringComparison.Ordinal));
            string small = Path.Combine(_work.Path, "note.txt");
            await File.WriteAllTextAsync(small, "see you at 8");
            var send = await Oc(_alice, "file", "send", bob, small, "--json");
            Assert.True(send.ExitCode == 0, send.ToString());
            string smallId = LastJson(send).GetProperty("fileId").GetString()!;

            var (line, _) = await live.StdoutLineAsync(l => l.Contains("\"type\":\"file\"", StringComparison.Ordinal));
            var file = JsonDocument.Parse(line).RootElement;
            Assert.Equal(smallId, file.GetProperty("fileId").GetString());
            Assert.Equal("note.txt", file.GetProperty("name").GetString());
            Assert.Equal(uint.Parse(alice, CultureInfo.InvariantCulture), file.GetProperty("from").GetUInt32());
            Assert.Equal(12, file.GetProperty("size").GetInt64());
            Assert.Equal("complete", file.GetProperty("state").GetString());
        }
    }

    [Fact]
    public async Task In_oc_chat_send_and_get_run_on_the_chat_s_own_connection()
    {
        var (alice, bob) = await FriendsAsync();
        var fromBob = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 3);
        string bobSource = Path.Combine(_work.Path, "from-bob.bin");
        await File.WriteAllBytesAsync(bobSource, fromBob);
        var bobSend = await Oc(_bob, "file", "send", alice, bobSource, "--json");
        Assert.True(bobSend.ExitCode == 0, bobSend.ToString());
        string fromBobId = LastJson(bobSend).GetProperty("fileId").GetString()!;
        var toBob = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 5);
        string aliceSource = Path.Combine(_work.Path, "to-bob.bin");
        await File.WriteAllBytesAsync(aliceSource, toBob);
        string target = Path.Combine(_work.Path, "got-from-bob.bin");

        // This class's tests run one at a time against its own appliance: the count is alice's chat alone.
        using var http = StatusClient.Create(appliance.HttpPort);
        long before = (await StatusClient.GetStatusAsync(http)).GetProperty("connections_accepted").GetInt64();

        // Both start at once and run beside the chat, which goes on (a message; bob's file announced);
        // /quit waits for them.
        var chat = await OcProcess.RunAsync(_alice.Path, $"/to {bob}\n/send {aliceSource}\n/get {fromBobId} {target}\nmeanwhile\n/quit\n", null, "chat");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains($"* bob sent you from-bob.bin (5.0 MiB), file {fromBobId}: /get {fromBobId}", chat.Stdout, StringComparison.Ordinal);
        Assert.Contains("you → bob: meanwhile", chat.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\* sent to-bob\.bin \(5\.0 MiB\) to bob as file [0-9a-f]{16}", chat.Stdout);
        Assert.Contains($"* saved from-bob.bin (5.0 MiB) to {target}; SHA-256 checked", chat.Stdout, StringComparison.Ordinal);

        long after = (await StatusClient.GetStatusAsync(http)).GetProperty("connections_accepted").GetInt64();
        Assert.True(after - before == 1, $"oc chat opened {after - before} connections for a /send and a /get; {chat}");
        Assert.Equal(fromBob, await File.ReadAllBytesAsync(target));
        var listed = await Oc(_bob, "file", "list", alice, "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var sent = LastJson(listed).GetProperty("files").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "to-bob.bin");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(toBob)), sent.GetProperty("sha256").GetString());
        Assert.Equal("complete", sent.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_signal_stops_a_send_running_in_oc_chat_and_the_same_send_finishes_it()
    {
        var (_, bob) = await FriendsAsync();
        string source = Path.Combine(_work.Path, "big.bin");
        await using (var file = File.Create(source))
        {
            var block = RandomNumberGenerator.GetBytes(1024 * 1024);
            for (int i = 0; i < 256; i++) await file.WriteAsync(block);
        }

        await using (var chat = RunningOc.Start(_alice.Path, "chat"))
        {
            await chat.WriteLineAsync($"/to {bob}");
            await chat.WriteLineAsync($"/send {source}");
            await chat.StdoutLineAsync(l => l.StartsWith("* sending big.bin", StringComparison.Ordinal));
            chat.Terminate();
            var (exitCode, stdout) = await chat.WaitForExitAsync();
            Assert.True(exitCode is 0 or 130, $"exit code {exitCode}");
            Assert.Contains(chat.StderrSoFar.Concat(stdout), l =>
                l.Contains($"big.bin was not sent: stopped; /send {source} resumes it", StringComparison.Ordinal)
                || l.Contains("* sent big.bin", StringComparison.Ordinal)); // the rare run where it finished first
        }

        var send = await Oc(_alice, "file", "send", bob, source, "--json");
        Assert.True(send.ExitCode == 0, send.ToString());
        string id = LastJson(send).GetProperty("fileId").GetString()!;
        string target = Path.Combine(_work.Path, "got.bin");
        var get = await Oc(_bob, "file", "get", id, "-o", target);
        Assert.True(get.ExitCode == 0, get.ToString());
        await using var a = File.OpenRead(source);
        await using var b = File.OpenRead(target);
        Assert.Equal(await SHA256.HashDataAsync(a), await SHA256.HashDataAsync(b));
    }

    [Fact]
    public async Task In_oc_chat_a_send_that_cannot_start_says_why_and_the_chat_ends_with_1()
    {
        var (_, bob) = await FriendsAsync();
        var chat = await OcProcess.RunAsync(_alice.Path, $"/send {_work.Path}/x\n/to {bob}\n/send {_work.Path}/missing.bin\n/get nothex\nhello\n/quit\n", null, "chat");
        Assert.Equal(1, chat.ExitCode);
        string all = chat.Stdout + chat.Stderr;
        Assert.Contains("no conversation yet: /to NUMBER first, then /send PATH", all, StringComparison.Ordinal);
        Assert.Contains("missing.bin was not sent: cannot read", all, StringComparison.Ordinal);
        Assert.Contains("/get FILE_ID [PATH]: the file id is 16 hex digits", all, StringComparison.Ordinal);
        Assert.Contains("you → bob: hello", chat.Stdout, StringComparison.Ordinal); // the chat went on
        Assert.Contains("oc: 1 file transfer failed (see above)", chat.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_sent_with_oc_is_listed_and_downloads_byte_identical_and_is_not_overwritten_without_force()
    {
        var (alice, bob) = await FriendsAsync();
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 77);
        string source = Path.Combine(_work.Path, "holiday.jpg");
        await File.WriteAllBytesAsync(source, content);

        var send = await Oc(_alice, "file", "send", bob, source, "--json");
        Assert.True(send.ExitCode == 0, send.ToString());
        var sent = LastJson(send);
        string id = sent.GetProperty("fileId").GetString()!;
        Assert.Equal("holiday.jpg", sent.GetProperty("name").GetString());
        Assert.Equal("complete", sent.GetProperty("state").GetString());

        var list = await Oc(_bob, "file", "list", alice);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(id, list.Stdout, StringComparison.Ordinal);
        Assert.Contains("holiday.jpg", list.Stdout, StringComparison.Ordinal);

        string target = Path.Combine(_work.Path, "got.jpg");
        var get = await Oc(_bob, "file", "get", id, "-o", target, "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(target + ".part"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), LastJson(get).GetProperty("sha256").GetString());

        var again = await Oc(_bob, "file", "get", id, "-o", target);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);
        var forced = await Oc(_bob, "file", "get", id, "-o", target, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task On_a_terminal_send_and_get_draw_a_progress_bar_with_bytes_rate_and_eta()
    {
        var (alice, bob) = await FriendsAsync();
        var content = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        string source = Path.Combine(_work.Path, "film.bin");
        await File.WriteAllBytesAsync(source, content);

        var send = await OcProcess.RunOnTerminalAsync(_alice.Path, "file", "send", bob, source);
        Assert.True(send.ExitCode == 0, send.ToString());
        // The last state of the bar: full, the size, a rate and the ETA field (the pty's output
        // has the bar's carriage returns as line ends here).
        Assert.Matches(@"\[#{24}\] 100\.0%  64\.0 MiB/64\.0 MiB  [\d.]+ [KMG]?i?B/s  ETA --:--", send.Stdout);

        var list = await Oc(_bob, "file", "list", alice, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        string id = LastJson(list).GetProperty("files")[0].GetProperty("fileId").GetString()!;
        string target = Path.Combine(_work.Path, "film-copy.bin");
        var get = await OcProcess.RunOnTerminalAsync(_bob.Path, "file", "get", id, "-o", target);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Matches(@"\[#{24}\] 100\.0%  64\.0 MiB/64\.0 MiB", get.Stdout);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task An_oc_file_send_killed_mid_way_resumes_when_run_again_and_ends_byte_identical()
    {
        var (_, bob) = await FriendsAsync();
        const long size = 256L * 1024 * 1024;
        string source = Path.Combine(_work.Path, "large.bin");
        var buffer = new byte[4 * 1024 * 1024];
        await using (var f = File.Create(source))
        {
            for (long left = size; left > 0; left -= buffer.Length)
            {
                RandomNumberGenerator.Fill(buffer);
                await f.WriteAsync(buffer);
            }
        }

        await using (var first = RunningOc.Start(_alice.Path, "file", "send", bob, source, "--json"))
        {
            await first.StdoutLineAsync(line => JsonDocument.Parse(line).RootElement.GetProperty("done").GetInt64() > 0);
            // DisposeAsync kills the process (SIGKILL) mid-upload.
        }

        var again = await Oc(_alice, "file", "send", bob, source, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        using (var firstLine = JsonDocument.Parse(again.Stdout.Split('\n')[0]))
        {
            Assert.True(firstLine.RootElement.GetProperty("done").GetInt64() > 0, "the second run resumes where the appliance is");
        }
        var sent = LastJson(again);
        Assert.Equal("complete", sent.GetProperty("state").GetString());

        string target = Path.Combine(_work.Path, "large.copy");
        var get = await Oc(_bob, "file", "get", sent.GetProperty("fileId").GetString()!, "-o", target);
        Assert.True(get.ExitCode == 0, get.ToString());
        await using var a = File.OpenRead(source);
        await using var c = File.OpenRead(target);
        Assert.Equal(await SHA256.HashDataAsync(a), await SHA256.HashDataAsync(c));
    }

    [Fact]
    public async Task A_download_resumes_from_a_partial_file_and_a_corrupt_one_is_refused_and_deleted()
    {
        var (_, bob) = await FriendsAsync();
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        string source = Path.Combine(_work.Path, "data.bin");
        await File.WriteAllBytesAsync(source, content);
        var send = await Oc(_alice, "file", "send", bob, source, "--json");
        Assert.True(send.ExitCode == 0, send.ToString());
        string id = LastJson(send).GetProperty("fileId").GetString()!;

        string target = Path.Combine(_work.Path, "resumed.bin");
        await File.WriteAllBytesAsync(target + ".part", content.AsSpan(0, 1_234_567).ToArray());
        var get = await Oc(_bob, "file", "get", id, "-o", target, "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        // The first progress line shows where it resumed.
        using (var first = JsonDocument.Parse(get.Stdout.Split('\n')[0]))
        {
            Assert.Equal(1_234_567, first.RootElement.GetProperty("done").GetInt64());
        }

        string bad = Path.Combine(_work.Path, "bad.bin");
        var wrong = content.AsSpan(0, 1000).ToArray();
        wrong[10] ^= 0xff;
        await File.WriteAllBytesAsync(bad + ".part", wrong);
        var refused = await Oc(_bob, "file", "get", id, "-o", bad);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("SHA-256", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(bad + ".part"));
        Assert.False(File.Exists(bad));
    }

    [Fact]
    public async Task A_received_name_is_made_safe_before_it_touches_the_disk()
    {
        var (alice, bob) = await FriendsAsync();
        // Sent with the protocol directly: oc itself only ever sends a file's own name.
        int port = int.Parse(appliance.Server.Split(':')[1], CultureInfo.InvariantCulture);
        await using (var connection = await OcConnection.ConnectAsync("127.0.0.1", port, "tests", appliance.Transport))
        {
            await TestUsers.LoginAsync(connection, uint.Parse(alice, CultureInfo.InvariantCulture), Password);
            await OcFiles.UploadAsync(connection, uint.Parse(bob, CultureInfo.InvariantCulture), "../../evil.txt", new MemoryStream("evil"u8.ToArray()));
            await OcFiles.UploadAsync(connection, uint.Parse(bob, CultureInfo.InvariantCulture), "CON", new MemoryStream("device"u8.ToArray()));
        }

        var list = await Oc(_bob, "file", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var files = LastJson(list).GetProperty("files").EnumerateArray().ToList();
        string evil = files.Single(f => f.GetProperty("name").GetString() == "../../evil.txt").GetProperty("fileId").GetString()!;
        string con = files.Single(f => f.GetProperty("name").GetString() == "CON").GetProperty("fileId").GetString()!;

        string folder = Path.Combine(_work.Path, "inbox");
        Directory.CreateDirectory(folder);
        var get = await Oc(_bob, "file", "get", evil, "-o", folder);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("evil", await File.ReadAllTextAsync(Path.Combine(folder, "evil.txt")));
        Assert.False(File.Exists(Path.Combine(_work.Path, "evil.txt")));
        var device = await Oc(_bob, "file", "get", con, "-o", folder);
        Assert.True(device.ExitCode == 0, device.ToString());
        Assert.Equal("device", await File.ReadAllTextAsync(Path.Combine(folder, "_CON")));
    }

    [Fact]
    public async Task Sending_to_a_stranger_or_a_missing_file_fails_clearly()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        string source = Path.Combine(_work.Path, "x.txt");
        await File.WriteAllTextAsync(source, "x");

        var stranger = await Oc(_alice, "file", "send", bob, source);
        Assert.Equal(1, stranger.ExitCode);
        Assert.Contains("not your friend", stranger.Stderr, StringComparison.Ordinal);
        var missing = await Oc(_alice, "file", "send", bob, Path.Combine(_work.Path, "nope.txt"));
        Assert.Equal(2, missing.ExitCode);
        var noSuch = await Oc(_bob, "file", "get", "00000000deadbeef");
        Assert.Equal(1, noSuch.ExitCode);
        Assert.Contains("no file", noSuch.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(alice, bob);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("/abs/path", "path")]
    [InlineData("C:\\Windows\\win.ini", "win.ini")]
    [InlineData("con", "_con")]
    [InlineData("LPT1.txt", "_LPT1.txt")]
    [InlineData("..", "file")]
    [InlineData("", "file")]
    [InlineData("a\u001b[2Jb", "a_[2Jb")]
    [InlineData("what?.txt", "what_.txt")]
    [InlineData("名前.txt", "名前.txt")]
    public void Received_names_become_one_safe_segment(string received, string expected) =>
        Assert.Equal(expected, OC.CliClient.Config.LocalFileName.Sanitize(received));
}
