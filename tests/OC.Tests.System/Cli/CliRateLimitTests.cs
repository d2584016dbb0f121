using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OC.Tests.EndToEnd;
using OC.Tests.Http;
using OC.Tests.Integration;

namespace OC.Tests.Cli;

/// <summary>
/// `oc` against `oc-appliance` as processes, the appliance given a small message rate by its
/// flag: a script that runs `oc send` in a loop faster than that is told to wait, and every send
/// succeeds because oc waits and tries again by itself, saying so on stderr.
/// </summary>
public sealed partial class CliRateLimitTests : IDisposable
{
    private const string Password = "pw for limits";
    private readonly string _data = TempDirectory.Create("oc-cli-limits");
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        TempDirectory.Delete(_data);
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

    [Fact]
    public async Task Oc_send_in_a_loop_over_the_message_rate_waits_and_every_message_is_sent()
    {
        // One message every 5 s, no burst beyond one: each send after the first comes well within
        // 5 s of the one before (an oc process starts in far less), so the appliance refuses it first.
        using var appliance = new ApplianceProcess(_data, "--rate-messages", "12/m,1");
        string server = $"127.0.0.1:{appliance.Port}";
        string alice = await RegisterAndLoginAsync(server, _alice, "alice");
        string bob = await RegisterAndLoginAsync(server, _bob, "bob");
        var add = await Oc(_alice, null, "friends", "add", bob);
        Assert.True(add.ExitCode == 0, add.ToString());
        var accept = await Oc(_bob, null, "friends", "accept", alice);
        Assert.True(accept.ExitCode == 0, accept.ToString());

        var runs = new List<OcRun>();
        for (int i = 1; i <= 3; i++)
        {
            var send = await Oc(_alice, null, "send", bob, $"loop {i}", "--json");
            Assert.True(send.ExitCode == 0, send.ToString());
            using var json = JsonDocument.Parse(send.Stdout);
            Assert.True(json.RootElement.GetProperty("seq").GetUInt64() > 0);
            runs.Add(send);
        }

        // The first had its token; a later one that came within 5 s of the one before (an oc
        // starts in far less; on a machine loaded beyond that, one may find its token back) was
        // refused first, waited and said so, once.
        Assert.Equal("", runs[0].Stderr);
        foreach (var run in runs.Skip(1))
        {
            if (run.Stderr.Length > 0) Assert.Matches(@"^oc: rate limited by the appliance; retrying in [1-5] s$", Assert.Single(run.StderrLines));
        }
        int waited = runs.Count(r => r.Stderr.Length > 0);
        Assert.True(waited >= 1, "no send was rate limited: " + string.Join("\n", runs));

        var history = await Oc(_bob, null, "history", alice, "--json");
        Assert.True(history.ExitCode == 0, history.ToString());
        foreach (var text in (string[])["loop 1", "loop 2", "loop 3"]) Assert.Contains($"\"{text}\"", history.Stdout, StringComparison.Ordinal);

        using var http = StatusClient.Create(Assert.NotNull(appliance.HttpPort));
        var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
        double limited = Assert.Single(samples, s => s.Name == "oc_rate_limited_total" && s.Labels["kind"] == "message").Value;
        Assert.True(limited >= waited, limited.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0.2, Assert.Single(samples, s => s.Name == "oc_rate_limit_per_second" && s.Labels["kind"] == "message").Value, 6);
    }

    [Fact]
    public async Task Oc_gives_up_with_a_clear_error_when_the_wait_would_be_too_long()
    {
        // One message an hour: the second would wait an hour, far past oc's minute.
        using var appliance = new ApplianceProcess(_data, "--rate-messages", "1/h,1");
        string server = $"127.0.0.1:{appliance.Port}";
        string alice = await RegisterAndLoginAsync(server, _alice, "alice");
        string bob = await RegisterAndLoginAsync(server, _bob, "bob");
        Assert.Equal(0, (await Oc(_alice, null, "friends", "add", bob)).ExitCode);
        Assert.Equal(0, (await Oc(_bob, null, "friends", "accept", alice)).ExitCode);
        Assert.Equal(0, (await Oc(_alice, null, "send", bob, "the one")).ExitCode);

        var over = await Oc(_alice, null, "send", bob, "one too many");
        Assert.Equal(1, over.ExitCode);
        var line = Assert.Single(over.StderrLines);
        Assert.Matches(@"^oc: rate limited by the appliance \(too many messages \(at most 1 an hour, 1 at once\); try again in \d+ s\); oc waits at most 60 s, try again later$", line);
    }
}
