using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OC.Tests.Integration;

namespace OC.Tests.Cli;

/// <summary>`oc send`, `oc history`, `oc listen` and `oc chat` as processes, two users in two config folders.</summary>
public sealed partial class CliMessagesTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for messages";
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

    private static async Task<string> RegisterAndLoginAsync(string server, TempFolder config, string nick)
    {
        var register = await Oc(config, Password + "\n", "register", "--server", server, "--nick", nick, "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        var login = await Oc(config, Password + "\n", "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return number;
    }

    /// <summary>Alice and Bob, friends: Alice asks, Bob accepts.</summary>
    private async Task<(string Alice, string Bob)> FriendsAsync(string? server = null)
    {
        string alice = await RegisterAndLoginAsync(server ?? appliance.Server, _alice, "alice");
        string bob = await RegisterAndLoginAsync(server ?? appliance.Server, _bob, "bob");
        var add = await Oc(_alice, null, "friends", "add", bob);
        Assert.True(add.ExitCode == 0, add.ToString());
        var accept = await Oc(_bob, null, "friends", "accept", alice);
        Assert.True(accept.ExitCode == 0, accept.ToString());
        return (alice, bob);
    }

    private static async Task<ulong> SendAsync(TempFolder from, string to, string text)
    {
        var send = await Oc(from, null, "send", to, text, "--json");
        Assert.True(send.ExitCode == 0, send.ToString());
        using var json = JsonDocument.Parse(send.Stdout);
        return json.RootElement.GetProperty("seq").GetUInt64();
    }

    /// <summary>An `oc listen --json` that has caught up (its "listening as" line is on stderr).</summary>
    private static async Task<RunningOc> ListenAsync(TempFolder config, params string[] extra)
    {
        var listen = RunningOc.Start(config.Path, ["listen", .. extra]);
        await listen.StderrLineAsync(line => line.StartsWith("oc: listening as ", StringComparison.Ordinal));
        return listen;
    }

    private static async Task<JsonElement> NextMessageAsync(RunningOc listen, Func<JsonElement, bool>? match = null)
    {
        var (line, _) = await listen.StdoutLineAsync(l =>
        {
            using var json = JsonDocument.Parse(l);
            return json.RootElement.GetProperty("type").GetString() == "message" && (match?.Invoke(json.RootElement) ?? true);
        });
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static uint N(string number) => uint.Parse(number, CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_message_sent_to_a_friend_is_in_both_histories_with_chinese_and_emoji_intact()
    {
        var (alice, bob) = await FriendsAsync();

        var send = await Oc(_alice, null, "send", bob, "你好 🙂");
        Assert.True(send.ExitCode == 0, send.ToString());
        Assert.Matches(@"^Sent \(seq \d+\)\.\n$", send.Stdout);

        var sendJson = await Oc(_alice, null, "send", bob, "second", "--json");
        using (var json = JsonDocument.Parse(sendJson.Stdout))
        {
            Assert.Equal(N(bob), json.RootElement.GetProperty("to").GetUInt32());
            Assert.True(json.RootElement.GetProperty("seq").GetUInt64() > 0);
            Assert.True(json.RootElement.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        }

        var history = await Oc(_bob, null, "history", alice);
        Assert.True(history.ExitCode == 0, history.ToString());
        var lines = history.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d\] alice: 你好 🙂$", lines[0]);
        Assert.EndsWith("] alice: second", lines[1], StringComparison.Ordinal);

        var historyJson = await Oc(_alice, null, "history", bob, "--json", "--limit", "1");
        var only = Assert.Single(historyJson.Stdout.TrimEnd('\n').Split('\n'));
        using (var json = JsonDocument.Parse(only))
        {
            Assert.Equal("second", json.RootElement.GetProperty("text").GetString());
            Assert.Equal(N(alice), json.RootElement.GetProperty("from").GetUInt32());
            Assert.Equal(N(bob), json.RootElement.GetProperty("to").GetUInt32());
        }

        var older = await Oc(_alice, null, "history", bob, "--json", "--before", JsonDocument.Parse(only).RootElement.GetProperty("seq").GetUInt64().ToString(CultureInfo.InvariantCulture));
        using (var json = JsonDocument.Parse(older.Stdout))
        {
            Assert.Equal("你好 🙂", json.RootElement.GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task Sending_to_a_stranger_or_too_much_text_is_one_line_and_an_exit_code()
    {
        string alice = await RegisterAndLoginAsync(appliance.Server, _alice, "alice");
        string bob = await RegisterAndLoginAsync(appliance.Server, _bob, "bob");

        var stranger = await Oc(_alice, null, "send", bob, "hello?");
        Assert.True(stranger.ExitCode == 1, stranger.ToString());
        Assert.Equal($"oc: {bob} is not your friend\n", stranger.Stderr);
        Assert.Empty(stranger.Stdout);

        var tooLong = await Oc(_alice, new string('x', 4097), "send", bob, "-");
        Assert.True(tooLong.ExitCode == 2, tooLong.ToString());
        Assert.Equal("oc: the message is 4097 bytes of UTF-8; the most is 4096\n", tooLong.Stderr);

        var history = await Oc(_bob, null, "history", alice);
        Assert.Equal("No messages with alice.\n", history.Stdout);
    }

    [Fact]
    public async Task History_shows_a_right_to_left_override_as_its_code_point_and_json_keeps_it()
    {
        var (alice, bob) = await FriendsAsync();
        await SendAsync(_alice, bob, "photo \u202Egnp.exe");

        var history = await Oc(_bob, null, "history", alice);
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.EndsWith("] alice: photo <U+202E>gnp.exe\n", history.Stdout, StringComparison.Ordinal);

        var historyJson = await Oc(_bob, null, "history", alice, "--json");
        using var json = JsonDocument.Parse(historyJson.Stdout);
        Assert.Equal("photo \u202Egnp.exe", json.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Stdin_text_is_one_message_even_over_several_lines()
    {
        var (alice, bob) = await FriendsAsync();
        var send = await Oc(_alice, "line one\nline two\n", "send", bob, "-");
        Assert.True(send.ExitCode == 0, send.ToString());

        var history = await Oc(_bob, null, "history", alice, "--json");
        using var json = JsonDocument.Parse(history.Stdout);
        Assert.Equal("line one\nline two", json.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Listen_prints_a_message_sent_afterwards_and_SIGTERM_ends_it_with_0()
    {
        var (alice, bob) = await FriendsAsync();
        await using var listen = await ListenAsync(_bob, "--json");

        ulong seq = await SendAsync(_alice, bob, "are you there? 🙂");
        var message = await NextMessageAsync(listen);
        Assert.Equal(seq, message.GetProperty("seq").GetUInt64());
        Assert.Equal(N(alice), message.GetProperty("from").GetUInt32());
        Assert.Equal(N(bob), message.GetProperty("to").GetUInt32());
        Assert.Equal("are you there? 🙂", message.GetProperty("text").GetString());

        listen.Terminate();
        var (exitCode, _) = await listen.WaitForExitAsync();
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task An_offline_message_is_shown_by_the_next_listen_once_and_not_by_the_one_after()
    {
        var (alice, bob) = await FriendsAsync();
        ulong offline = await SendAsync(_alice, bob, "while you were away");

        await using (var first = RunningOc.Start(_bob.Path, "listen"))
        {
            var (line, _) = await first.StdoutLineAsync(l => l.Contains("while you were away", StringComparison.Ordinal));
            Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d\] alice → you: while you were away$", line);
            await first.StderrLineAsync(l => l.StartsWith("oc: listening as bob", StringComparison.Ordinal));
            first.Terminate();
            Assert.Equal(0, (await first.WaitForExitAsync()).ExitCode);
        }

        // The second listen has caught up before the marker is sent: the first message it shows
        // must be the marker, not the offline message again.
        await using var second = await ListenAsync(_bob, "--json");
        ulong marker = await SendAsync(_alice, bob, "marker");
        var message = await NextMessageAsync(second);
        Assert.Equal(marker, message.GetProperty("seq").GetUInt64());
        Assert.True(marker > offline);
    }

    [Fact]
    public async Task History_counts_as_seen_but_leaves_other_conversations_new()
    {
        var (alice, bob) = await FriendsAsync();
        using var carolConfig = new TempFolder();
        string carol = await RegisterAndLoginAsync(appliance.Server, carolConfig, "carol");
        Assert.Equal(0, (await Oc(carolConfig, null, "friends", "add", bob)).ExitCode);
        Assert.Equal(0, (await Oc(_bob, null, "friends", "accept", carol)).ExitCode);

        await SendAsync(carolConfig, bob, "from carol");
        await SendAsync(_alice, bob, "from alice");
        var history = await Oc(_bob, null, "history", alice);
        Assert.Contains("alice: from alice", history.Stdout, StringComparison.Ordinal);

        // Carol's message came before Alice's and was not shown: it is still new; Alice's is not.
        await using var listen = await ListenAsync(_bob, "--json");
        ulong marker = await SendAsync(_alice, bob, "marker");
        var (_, skipped) = await listen.StdoutLineAsync(l => l.Contains("\"marker\"", StringComparison.Ordinal));
        var texts = skipped.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "message")
            .Select(e => e.GetProperty("text").GetString()).ToList();
        Assert.Equal(["from carol", "from alice"], texts);
        Assert.True(marker > 0);
    }

    [Fact]
    public async Task Chat_driven_through_stdin_sends_to_the_chosen_friend_and_quits_with_0()
    {
        var (alice, bob) = await FriendsAsync();
        await using var listen = await ListenAsync(_bob, "--json");

        var chat = await Oc(_alice, $"/to {bob}\nhello via chat\n/who\n/quit\n", "chat");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Contains("you → bob: hello via chat", chat.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{bob}  bob  online  friend", chat.Stdout, StringComparison.Ordinal);
        Assert.Empty(chat.Stderr);

        var message = await NextMessageAsync(listen);
        Assert.Equal("hello via chat", message.GetProperty("text").GetString());
        Assert.Equal(N(alice), message.GetProperty("from").GetUInt32());

        // What the chat sent is not shown again as new when the chat starts the next time.
        var again = await Oc(_alice, "/quit\n", "chat");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("hello via chat", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_refusals_go_to_stderr_and_the_chat_goes_on()
    {
        var (_, bob) = await FriendsAsync();
        var chat = await Oc(_alice, $"no conversation yet\n/bogus\n/to {bob}\n/quit\n", "chat");
        Assert.True(chat.ExitCode == 0, chat.ToString());
        Assert.Equal(
            ["oc: no conversation yet: /to NUMBER or /to #ROOM first (/who lists your friends, /rooms your rooms)", "oc: unknown command /bogus; /help lists them"],
            chat.StderrLines);
    }

    [Fact]
    public async Task Listen_reconnects_after_the_appliance_restarts_and_misses_nothing()
    {
        string data = TempDirectory.Create("oc-cli-restart");
        try
        {
            int port;
            RunningOc listen;
            string bob;
            using (var first = new TestAppliance(dataDirectory: data))
            {
                port = first.Port;
                (_, bob) = await FriendsAsync($"127.0.0.1:{port}");
                listen = await ListenAsync(_bob, "--json");
                ulong before = await SendAsync(_alice, bob, "before the restart");
                Assert.Equal(before, (await NextMessageAsync(listen)).GetProperty("seq").GetUInt64());
            }

            await using (listen)
            {
                await listen.StderrLineAsync(l => l.StartsWith("oc: connection lost (", StringComparison.Ordinal));
                using var second = new TestAppliance(dataDirectory: data, configure: o => o with { Port = port });

                // Sent before or after the listener is back: either way it arrives, once.
                ulong after = await SendAsync(_alice, bob, "after the restart");
                await listen.StderrLineAsync(l => l == $"oc: connected again to 127.0.0.1:{port}");
                var message = await NextMessageAsync(listen);
                Assert.Equal(after, message.GetProperty("seq").GetUInt64());
                Assert.Equal("after the restart", message.GetProperty("text").GetString());
            }
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task Chat_sends_what_was_typed_during_an_outage_once_it_is_back()
    {
        string data = TempDirectory.Create("oc-cli-outage");
        try
        {
            int port;
            RunningOc chat;
            string alice;
            using (var first = new TestAppliance(dataDirectory: data))
            {
                port = first.Port;
                string bob;
                (alice, bob) = await FriendsAsync($"127.0.0.1:{port}");
                chat = RunningOc.Start(_alice.Path, "chat", bob);
                await chat.StdoutLineAsync(l => l.StartsWith("* no friend is online", StringComparison.Ordinal));
                await chat.WriteLineAsync("before");
                await chat.StdoutLineAsync(l => l.EndsWith("you → bob: before", StringComparison.Ordinal));
            }

            await using (chat)
            {
                await chat.StdoutLineAsync(l => l.StartsWith("* connection lost (", StringComparison.Ordinal));
                await chat.WriteLineAsync("during the outage");
                await chat.StdoutLineAsync(l => l.EndsWith("you → bob: during the outage", StringComparison.Ordinal));

                using var second = new TestAppliance(dataDirectory: data, configure: o => o with { Port = port });
                await chat.StdoutLineAsync(l => l == $"* connected again to 127.0.0.1:{port}");
                await chat.WriteLineAsync("/quit");
                var (exitCode, rest) = await chat.WaitForExitAsync();
                Assert.True(exitCode == 0, string.Join('\n', rest.Concat(chat.StderrSoFar)));

                var history = await Oc(_bob, null, "history", alice);
                var lines = history.Stdout.TrimEnd('\n').Split('\n');
                Assert.Equal(2, lines.Length);
                Assert.EndsWith("alice: before", lines[0], StringComparison.Ordinal);
                Assert.EndsWith("alice: during the outage", lines[1], StringComparison.Ordinal);
            }
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}
