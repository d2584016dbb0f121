using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>
/// The chat's rough edges a new user met (issue 14, item 5), each with the real `oc` processes:
/// delivery receipts in `oc chat`, presence that one-shot commands must not flap, Ctrl-C's exit
/// code, and a carriage return shown the same way by `oc chat` and `oc history`.
/// </summary>
public sealed partial class CliRoughEdgesTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "pw for rough edges";
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    // A generous --timeout: these tests are about what oc shows, not about a loaded machine's latency.
    private static Task<OcRun> Oc(TempFolder config, string? stdin, params string[] args) =>
        OcProcess.RunAsync(config.Path, stdin, null, [.. args, "--timeout", "30"]);

    private static RunningOc Start(TempFolder config, params string[] args) => RunningOc.Start(config.Path, [.. args, "--timeout", "30"]);

    private async Task<string> RegisterAndLoginAsync(TempFolder config, string nick)
    {
        var register = await Oc(config, Password + "\n", "register", "--server", appliance.Server, "--nick", nick, "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        var login = await Oc(config, Password + "\n", "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return number;
    }

    private async Task<(string Alice, string Bob)> FriendsAsync()
    {
        string alice = await RegisterAndLoginAsync(_alice, "alice");
        string bob = await RegisterAndLoginAsync(_bob, "bob");
        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);
        Assert.Equal(0, (await Oc(_bob, null, "friends", "accept", alice)).ExitCode);
        return (alice, bob);
    }

    private static async Task<RunningOc> ListenAsync(TempFolder config, params string[] extra)
    {
        var listen = Start(config, ["listen", .. extra]);
        await listen.StderrLineAsync(line => line.StartsWith("oc: listening as ", StringComparison.Ordinal));
        return listen;
    }

    private static string? TypeOf(string jsonLine)
    {
        using var json = JsonDocument.Parse(jsonLine);
        return json.RootElement.GetProperty("type").GetString();
    }

    private static uint N(string number) => uint.Parse(number, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Chat_says_delivered_for_every_message_that_reached_an_online_friend()
    {
        var (_, bob) = await FriendsAsync();
        await using var listen = await ListenAsync(_bob, "--json");
        await using var chat = Start(_alice, "chat", bob);
        await chat.StdoutLineAsync(l => l == "* online: bob");

        // The appliance writes SENT and DELIVERED back to back: the receipt must not be lost in between.
        for (int i = 1; i <= 5; i++)
        {
            await chat.WriteLineAsync($"message {i}");
            await chat.StdoutLineAsync(l => l.EndsWith($"you → bob: message {i}", StringComparison.Ordinal));
            await chat.StdoutLineAsync(l => l == "  ✓ delivered to bob");
        }

        await chat.WriteLineAsync("/quit");
        var (exitCode, _) = await chat.WaitForExitAsync();
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task One_shot_commands_leave_presence_alone_and_a_listen_is_online_until_it_ends()
    {
        var (alice, bob) = await FriendsAsync();
        await using var listen = await ListenAsync(_bob, "--json");

        Assert.Equal(0, (await Oc(_alice, null, "send", bob, "one")).ExitCode);
        Assert.Equal(0, (await Oc(_alice, null, "history", bob)).ExitCode);
        Assert.Equal(0, (await Oc(_alice, null, "friends")).ExitCode);
        var find = await Oc(_bob, null, "find", alice, "--json");
        using (var card = JsonDocument.Parse(find.Stdout))
        {
            Assert.False(card.RootElement.GetProperty("online").GetBoolean(), find.Stdout);
        }

        // Events come in order on Bob's one connection: anything the commands above caused is
        // before the marker.
        Assert.Equal(0, (await Oc(_alice, null, "send", bob, "marker")).ExitCode);
        var (_, before) = await listen.StdoutLineAsync(l => l.Contains("\"marker\"", StringComparison.Ordinal));
        Assert.False(before.Any(l => TypeOf(l) == "presence"), string.Join('\n', before));

        await using (var aliceListen = await ListenAsync(_alice))
        {
            var (online, _) = await listen.StdoutLineAsync(l => TypeOf(l) == "presence");
            using (var json = JsonDocument.Parse(online))
            {
                Assert.Equal(N(alice), json.RootElement.GetProperty("ocNumber").GetUInt32());
                Assert.True(json.RootElement.GetProperty("online").GetBoolean());
            }

            var whileListening = await Oc(_bob, null, "find", alice, "--json");
            using (var card = JsonDocument.Parse(whileListening.Stdout))
            {
                Assert.True(card.RootElement.GetProperty("online").GetBoolean(), whileListening.Stdout);
            }

            aliceListen.Terminate();
            Assert.Equal(0, (await aliceListen.WaitForExitAsync()).ExitCode);
        }

        var (offline, _) = await listen.StdoutLineAsync(l => TypeOf(l) == "presence");
        using (var json = JsonDocument.Parse(offline))
        {
            Assert.Equal(N(alice), json.RootElement.GetProperty("ocNumber").GetUInt32());
            Assert.False(json.RootElement.GetProperty("online").GetBoolean());
        }
    }

    [Fact]
    public async Task Ctrl_C_ends_oc_chat_with_exit_code_130()
    {
        var (_, bob) = await FriendsAsync();
        await using var chat = Start(_alice, "chat", bob);
        await chat.StdoutLineAsync(l => l == "* no friend is online");

        chat.Interrupt();
        var (exitCode, _) = await chat.WaitForExitAsync();
        Assert.Equal(130, exitCode);
    }

    [Fact]
    public async Task A_carriage_return_shows_the_same_in_chat_and_history_and_makes_no_blank_line()
    {
        var (alice, bob) = await FriendsAsync();
        await using var chat = Start(_bob, "chat", alice);
        await chat.StdoutLineAsync(l => l == "* no friend is online");

        string[] texts = ["one\rtwo", "three\r", "four\r\n\r\nfive", "six\n\r"];
        foreach (var text in texts) Assert.Equal(0, (await Oc(_alice, null, "send", bob, text)).ExitCode);
        Assert.Equal(0, (await Oc(_alice, null, "send", bob, "marker")).ExitCode);
        var (_, shown) = await chat.StdoutLineAsync(l => l.EndsWith("alice → you: marker", StringComparison.Ordinal));
        await chat.WriteLineAsync("/quit");
        Assert.Equal(0, (await chat.WaitForExitAsync()).ExitCode);

        var history = await Oc(_bob, null, "history", alice, "--limit", "5");
        Assert.True(history.ExitCode == 0, history.ToString());
        var inChat = Bodies(shown, "] alice → you: ");
        var inHistory = Bodies(history.Stdout.TrimEnd('\n').Split('\n').SkipLast(1), "] alice: ");

        List<string> expected = ["one\n    two", "three", "four\n    \n    five", "six"];
        Assert.Equal(expected, inChat);
        Assert.Equal(expected, inHistory);
    }

    /// <summary>Each message's text as printed: the rest of its first line and its continuation lines.</summary>
    private static List<string> Bodies(IEnumerable<string> lines, string marker)
    {
        var bodies = new List<List<string>>();
        foreach (var line in lines)
        {
            int at = line.IndexOf(marker, StringComparison.Ordinal);
            if (line.StartsWith('[') && at > 0) bodies.Add([line[(at + marker.Length)..]]);
            else if (bodies.Count > 0 && line.StartsWith("    ", StringComparison.Ordinal)) bodies[^1].Add(line);
            else if (bodies.Count > 0 && line.Trim().Length == 0) bodies[^1].Add(line);
        }

        return [.. bodies.Select(b => string.Join('\n', b))];
    }
}
