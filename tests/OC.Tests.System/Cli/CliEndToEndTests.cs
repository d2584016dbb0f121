using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>The real `oc` program as a process against a real appliance (see <see cref="OcProcess"/>).</summary>
public sealed partial class CliEndToEndTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly TempFolder _config = new();

    public void Dispose() => _config.Dispose();

    [GeneratedRegex(@"^Registered\. Your OC number is (\d{6})\.\nLog in with: oc login \1\n$")]
    private static partial Regex RegisteredText();

    private Task<OcRun> Oc(string? stdin, params string[] args) => OcProcess.RunAsync(_config.Path, stdin, null, args);

    private async Task<string> RegisterAsync(string nick = "alice", string email = "alice@example.org")
    {
        var run = await Oc(Password + "\n", "register", "--server", appliance.Server, "--nick", nick, "--email", email, "--password-stdin");
        Assert.True(run.ExitCode == 0, run.ToString());
        var match = RegisteredText().Match(run.Stdout);
        Assert.True(match.Success, run.ToString());
        return match.Groups[1].Value;
    }

    private static void AssertFailure(OcRun run, int exitCode, string message)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Equal("oc: " + message + "\n", run.Stderr);
    }

    [Fact]
    public async Task Register_prints_a_six_digit_number_and_login_then_whoami_show_it()
    {
        string number = await RegisterAsync();
        Assert.InRange(int.Parse(number, System.Globalization.CultureInfo.InvariantCulture), 100_000, 999_999);

        // No --server: register remembered the appliance.
        var login = await Oc(Password + "\n", "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal($"Logged in as alice (OC number {number}) on {appliance.Server}.\n", login.Stdout);
        Assert.Equal("", login.Stderr);

        string sessionFile = Path.Combine(_config.Path, "session.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sessionFile));
        }

        var whoami = await Oc(null, "whoami");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Contains($"OC number:  {number}\n", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains("Nick:       alice\n", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains("E-mail:     alice@example.org\n", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Server:     {appliance.Server}\n", whoami.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"Registered: \d{4}-\d\d-\d\d \d\d:\d\d UTC\n$", whoami.Stdout);
    }

    [Fact]
    public async Task Wrong_password_is_one_line_and_exit_1()
    {
        string number = await RegisterAsync();
        var run = await Oc("not the password\n", "login", number, "--server", appliance.Server, "--password-stdin");
        AssertFailure(run, 1, "wrong password");
        Assert.False(File.Exists(Path.Combine(_config.Path, "session.json")));
    }

    [Fact]
    public async Task Unknown_number_is_one_line_and_exit_1()
    {
        // Numbers are random in 100000..999999; this class registers a handful, so a clash is
        // about one in a hundred thousand. Pick one that this appliance surely did not assign.
        var run = await Oc(Password + "\n", "login", "999999", "--server", appliance.Server, "--password-stdin");
        AssertFailure(run, 1, "no user has OC number 999999");
    }

    [Fact]
    public async Task A_dead_server_is_one_line_naming_the_address_and_exit_1()
    {
        string server = $"127.0.0.1:{DeadPort.Find()}";
        var run = await Oc(Password + "\n", "login", "123456", "--server", server, "--password-stdin");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Single(run.StderrLines);
        Assert.StartsWith($"oc: cannot connect to {server}: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_ends_the_session_and_then_whoami_says_not_logged_in()
    {
        string number = await RegisterAsync("bob", "");
        Assert.Equal(0, (await Oc(Password + "\n", "login", number, "--password-stdin")).ExitCode);

        var logout = await Oc(null, "logout");
        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Equal($"Logged out (OC number {number} on {appliance.Server}).\n", logout.Stdout);
        Assert.False(File.Exists(Path.Combine(_config.Path, "session.json")));

        AssertFailure(await Oc(null, "whoami"), 1, "not logged in; run oc login NUMBER");
        AssertFailure(await Oc(null, "logout"), 1, "not logged in; run oc login NUMBER");
    }

    [Fact]
    public async Task A_session_ended_elsewhere_makes_whoami_say_session_expired()
    {
        string number = await RegisterAsync("carol", "");
        Assert.Equal(0, (await Oc(Password + "\n", "login", number, "--password-stdin")).ExitCode);

        // A second machine with a copy of the session logs out; the first one's token is dead.
        using var other = new TempFolder();
        File.Copy(Path.Combine(_config.Path, "session.json"), Path.Combine(other.Path, "session.json"));
        Assert.Equal(0, (await OcProcess.RunAsync(other.Path, null, null, "logout")).ExitCode);

        AssertFailure(await Oc(null, "whoami"), 1, $"session expired; run oc login {number}");
        AssertFailure(await Oc(null, "whoami"), 1, "not logged in; run oc login NUMBER");
    }

    [Fact]
    public async Task Json_output_of_every_command_parses_with_the_expected_fields()
    {
        var register = await Oc(Password + "\n", "--json", "register", "--server", appliance.Server, "--nick", "dave", "--email", "dave@example.org", "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        using (var json = JsonDocument.Parse(register.Stdout))
        {
            Assert.Equal("dave", json.RootElement.GetProperty("nick").GetString());
            Assert.Equal("dave@example.org", json.RootElement.GetProperty("email").GetString());
            Assert.Equal(appliance.Server, json.RootElement.GetProperty("server").GetString());
            Assert.InRange(json.RootElement.GetProperty("ocNumber").GetInt32(), 100_000, 999_999);
        }

        string number = JsonDocument.Parse(register.Stdout).RootElement.GetProperty("ocNumber").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var login = await Oc(Password + "\n", "login", number, "--password-stdin", "--json");
        Assert.True(login.ExitCode == 0, login.ToString());
        using (var json = JsonDocument.Parse(login.Stdout))
        {
            Assert.Equal(number, json.RootElement.GetProperty("ocNumber").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("dave", json.RootElement.GetProperty("nick").GetString());
            Assert.Equal(appliance.Server, json.RootElement.GetProperty("server").GetString());
        }

        var whoami = await Oc(null, "whoami", "--json");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        using (var json = JsonDocument.Parse(whoami.Stdout))
        {
            Assert.Equal("dave", json.RootElement.GetProperty("nick").GetString());
            Assert.Equal("dave@example.org", json.RootElement.GetProperty("email").GetString());
            Assert.Equal(appliance.Server, json.RootElement.GetProperty("server").GetString());
            var created = json.RootElement.GetProperty("created").GetDateTimeOffset();
            Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        }

        var logout = await Oc(null, "logout", "--json");
        Assert.True(logout.ExitCode == 0, logout.ToString());
        using (var json = JsonDocument.Parse(logout.Stdout))
        {
            Assert.True(json.RootElement.GetProperty("sessionWasValid").GetBoolean());
            Assert.Equal(appliance.Server, json.RootElement.GetProperty("server").GetString());
        }
    }

    [Fact]
    public async Task OC_SERVER_names_the_appliance_when_there_is_no_server_option()
    {
        var run = await OcProcess.RunAsync(
            _config.Path, Password + "\n", new Dictionary<string, string> { ["OC_SERVER"] = appliance.Server },
            "register", "--nick", "erin", "--password-stdin");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(RegisteredText(), run.Stdout);
    }

    [Fact]
    public async Task A_nick_that_breaks_the_rules_is_one_line_and_exit_2_before_the_appliance_is_asked()
    {
        // oc checks the appliance's own rule (OC.Protocol.TextRules) first: a usage error, like a
        // bad option; the appliance's refusal of the same nick is tested on the wire (TextHygieneTests).
        var run = await Oc(Password + "\n", "register", "--server", appliance.Server, "--nick", new string('x', 40), "--password-stdin");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.StartsWith("oc: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_exits_0_and_mentions_every_command()
    {
        var run = await Oc(null, "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var command in new[] { "register", "login", "logout", "whoami", "find", "friends", "online", "send", "history", "listen", "chat", "file", "servers" })
        {
            Assert.Contains(command, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_parse_error_is_one_line_and_exit_2()
    {
        AssertFailure(await Oc(null, "login"), 2, "Required argument missing for command: 'login'. (see oc login --help)");
    }
}
