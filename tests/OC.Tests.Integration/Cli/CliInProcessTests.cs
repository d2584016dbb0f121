using OC.CliClient;
using OC.CliClient.Config;
using OC.CliClient.Terminal;

namespace OC.Tests.Cli;

/// <summary>The command line without an appliance: parsing, help, usage errors, local state. Runs OcCli in-process.</summary>
public sealed class CliInProcessTests : IDisposable
{
    private readonly TempFolder _config = new();
    private readonly Dictionary<string, string> _variables = [];
    private IReadOnlyList<OC.CliClient.Discovery.DiscoveredAppliance> _lan = [];

    public CliInProcessTests() => _variables["OC_CONFIG_DIR"] = _config.Path;

    public void Dispose() => _config.Dispose();

    private async Task<(int ExitCode, string Out, string Err)> RunAsync(string? stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new CliEnvironment(
            name => _variables.GetValueOrDefault(name), () => new StringReader(stdin ?? ""), stdout, stderr,
            InputIsTerminal: false, HomeFolder: "/nonexistent-home")
        {
            // No multicast from unit tests: the LAN is empty here (Discovery/ tests use real namespaces).
            Discover = (_, _) => Task.FromResult(_lan),
        };
        int exitCode = await OcCli.RunAsync(args, environment);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private static void AssertOneErrorLine(string stderr, string expected)
    {
        Assert.Equal("oc: " + expected + Environment.NewLine, stderr);
    }

    [Fact]
    public async Task Help_exits_0_and_lists_every_command()
    {
        var (exitCode, stdout, stderr) = await RunAsync(null, "--help");
        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        foreach (var command in new[] { "register", "login", "logout", "whoami", "send", "history", "listen", "chat", "--server", "--json", "--timeout", "Examples:" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("register", "--nick")]
    [InlineData("login", "<NUMBER>")]
    [InlineData("logout", "--server")]
    [InlineData("whoami", "--json")]
    [InlineData("send", "<TEXT>")]
    [InlineData("history", "--before")]
    [InlineData("listen", "\"type\":\"delivered\"")]
    [InlineData("chat", "/to NUMBER")]
    public async Task Every_command_has_help_with_notes_and_output_formats(string command, string mentions)
    {
        var (exitCode, stdout, _) = await RunAsync(null, command, "--help");
        Assert.Equal(0, exitCode);
        Assert.Contains(mentions, stdout, StringComparison.Ordinal);
        Assert.Contains("Output:", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "bogus" }, "Unrecognized command or argument 'bogus'. (see oc --help)")]
    [InlineData(new string[0], "Required command was not provided. (see oc --help)")]
    [InlineData(new[] { "login", "12" }, "'12' is not an OC number (six digits, 100000 to 999999) (see oc login --help)")]
    [InlineData(new[] { "login", "012345" }, "'012345' is not an OC number (six digits, 100000 to 999999) (see oc login --help)")]
    [InlineData(new[] { "register" }, "Option '--nick' is required. (see oc register --help)")]
    [InlineData(new[] { "whoami", "--server", "host:0" }, "--server: '0' is not a port number (1..65535) (see oc whoami --help)")]
    [InlineData(new[] { "--server", "[::1", "whoami" }, "--server: '[::1' has '[' without ']' (see oc whoami --help)")]
    [InlineData(new[] { "whoami", "--timeout", "0" }, "--timeout must be 1..3600 seconds, not 0 (see oc whoami --help)")]
    [InlineData(new[] { "send", "654321" }, "the text of the message is missing (see oc send --help)")]
    [InlineData(new[] { "history", "654321", "--limit", "501" }, "--limit must be 1..500, not 501 (see oc history --help)")]
    [InlineData(new[] { "history", "654321", "--before", "0" }, "--before must be a seq of 1 or more (see oc history --help)")]
    [InlineData(new[] { "chat", "12" }, "'12' is not an OC number (six digits) nor a room (#123456) (see oc chat --help)")]
    public async Task Parse_errors_print_one_line_and_exit_2(string[] args, string message)
    {
        var (exitCode, stdout, stderr) = await RunAsync(null, args);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        AssertOneErrorLine(stderr, message);
    }

    [Fact]
    public async Task Without_any_appliance_register_says_how_to_name_one()
    {
        var (exitCode, _, stderr) = await RunAsync("secret\n", "register", "--nick", "alice", "--password-stdin");
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "no appliance given and none found on the LAN (mDNS _oc._tcp, 1 s); use --server HOST[:PORT] or set OC_SERVER");
    }

    [Fact]
    public async Task A_password_prompt_on_redirected_stdin_asks_for_password_stdin()
    {
        var (exitCode, _, stderr) = await RunAsync("secret\n", "login", "123456", "--server", "127.0.0.1:1");
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "stdin is not a terminal: use --password-stdin");
    }

    [Fact]
    public async Task An_empty_stdin_with_password_stdin_is_a_usage_error()
    {
        var (exitCode, _, stderr) = await RunAsync("", "login", "123456", "--server", "127.0.0.1:1", "--password-stdin");
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "--password-stdin: stdin ended before a password line");
    }

    [Fact]
    public async Task An_empty_password_line_is_a_usage_error()
    {
        var (exitCode, _, stderr) = await RunAsync("\n", "login", "123456", "--server", "127.0.0.1:1", "--password-stdin");
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "the password is empty");
    }

    [Fact]
    public async Task Whoami_and_logout_without_a_session_say_not_logged_in_and_exit_1()
    {
        var (exitCode, stdout, stderr) = await RunAsync(null, "whoami");
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Empty(stdout);
        AssertOneErrorLine(stderr, "not logged in; run oc login NUMBER");

        (exitCode, _, stderr) = await RunAsync(null, "logout");
        Assert.Equal(ExitCodes.Failure, exitCode);
        AssertOneErrorLine(stderr, "not logged in; run oc login NUMBER");
    }

    [Fact]
    public async Task A_session_for_another_appliance_is_not_used_for_the_one_named()
    {
        new SessionStore(new ConfigFolder(_config.Path)).Save(new Session(123456, "alice", "10.0.0.1:6677", new byte[32]));
        _variables["OC_SERVER"] = "10.0.0.2";

        var (exitCode, _, stderr) = await RunAsync(null, "whoami");
        Assert.Equal(ExitCodes.Failure, exitCode);
        AssertOneErrorLine(stderr, "not logged in to 10.0.0.2:6677 (the saved session is for 10.0.0.1:6677)");
    }

    [Fact]
    public async Task A_refused_connection_is_one_line_naming_the_address()
    {
        int port = DeadPort.Find();
        var (exitCode, _, stderr) = await RunAsync("secret\n", "login", "123456", "--server", $"127.0.0.1:{port}", "--password-stdin");
        Assert.Equal(ExitCodes.Failure, exitCode);
        AssertOneErrorLine(stderr, $"cannot connect to 127.0.0.1:{port}: connection refused (is oc-appliance running there?)");
    }

    [Theory]
    [InlineData("", "the message is empty")]
    [InlineData("\n", "the message is empty")]
    [InlineData(" \t\n \n", "the message is empty")]
    public async Task An_empty_message_from_stdin_is_a_usage_error_before_anything_is_sent(string stdin, string message)
    {
        var (exitCode, stdout, stderr) = await RunAsync(stdin, "send", "654321", "-");
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        AssertOneErrorLine(stderr, message);
    }

    [Fact]
    public async Task A_whitespace_only_message_is_a_usage_error_before_anything_is_sent()
    {
        var (exitCode, _, stderr) = await RunAsync(null, "send", "654321", " ", "  ");
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "the message is empty");
    }

    [Fact]
    public async Task A_nickname_with_a_right_to_left_override_is_a_usage_error_before_anything_is_asked()
    {
        // No --server and no password on stdin: the rule is checked before either is needed.
        var (exitCode, _, stderr) = await RunAsync(null, "register", "--nick", "\u202Egnp.exe");
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "the nickname contains a bidirectional control character, U+202E");
    }

    [Fact]
    public async Task A_message_over_4096_bytes_is_a_usage_error_before_anything_is_sent()
    {
        // 1366 × 3 bytes = 4098: fewer characters than the limit, more bytes.
        var (exitCode, _, stderr) = await RunAsync(null, "send", "654321", new string('你', 1366));
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "the message is 4098 bytes of UTF-8; the most is 4096");
    }

    [Fact]
    public async Task Chat_has_no_json()
    {
        var (exitCode, _, stderr) = await RunAsync(null, "chat", "--json");
        Assert.Equal(ExitCodes.Usage, exitCode);
        AssertOneErrorLine(stderr, "oc chat has no --json; scripts use oc listen --json and oc send");
    }

    [Fact]
    public async Task Listen_and_chat_need_a_login()
    {
        foreach (var command in new[] { "listen", "chat", "history" })
        {
            string[] args = command == "history" ? [command, "654321", "--server", "h:1"] : [command, "--server", "h:1"];
            var (exitCode, _, stderr) = await RunAsync(null, args);
            Assert.Equal(ExitCodes.Failure, exitCode);
            AssertOneErrorLine(stderr, "not logged in; run oc login NUMBER");
        }
    }

    [Theory]
    [InlineData(new[] { "whoami", "--trust", "SHA256:short" }, "--trust: 'SHA256:short' is not a certificate fingerprint (SHA256:... as oc-appliance fingerprint prints it, or 64 hex digits) (see oc whoami --help)")]
    [InlineData(new[] { "--trust-first-use", "whoami", "--trust", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" }, "--trust and --trust-first-use: give one of them (see oc whoami --help)")]
    [InlineData(new[] { "servers", "forget" }, "Required argument missing for command: 'forget'. (see oc servers forget --help)")]
    public async Task Trust_options_are_checked_when_parsing(string[] args, string message)
    {
        var (exitCode, stdout, stderr) = await RunAsync(null, args);
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        AssertOneErrorLine(stderr, message);
    }

    [Fact]
    public async Task Servers_forget_of_an_appliance_not_trusted_is_one_line_and_exit_1()
    {
        var (exitCode, stdout, stderr) = await RunAsync(null, "servers", "forget", "office");
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Empty(stdout);
        AssertOneErrorLine(stderr, "no trusted appliance is named office (by name, id or address; oc servers lists them)");
    }

    [Fact]
    public async Task Servers_forget_removes_what_it_names_and_says_so_on_one_line()
    {
        var store = new TrustStore(new ConfigFolder(_config.Path));
        const string fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        store.Remember(new TrustedAppliance("3f0c", "office", "192.0.2.20:6677", fingerprint, DateTimeOffset.UnixEpoch));
        store.Remember(new TrustedAppliance("aa", "lab", "192.0.2.30:6677", fingerprint, DateTimeOffset.UnixEpoch));

        var (exitCode, stdout, stderr) = await RunAsync(null, "servers", "forget", "192.0.2.20");
        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        Assert.Equal($"Forgot office ({fingerprint}, 192.0.2.20:6677).{Environment.NewLine}", stdout);

        (exitCode, stdout, _) = await RunAsync(null, "servers", "forget", "LAB", "--json");
        Assert.Equal(0, exitCode);
        Assert.Equal($$"""{"forgotten":[{"id":"aa","name":"lab","address":"192.0.2.30:6677","fingerprint":"{{fingerprint}}","firstSeen":"1970-01-01T00:00:00+00:00"}]}{{Environment.NewLine}}""", stdout);
        Assert.Empty(store.Load());
    }

    [Fact]
    public async Task Servers_shows_the_announced_fingerprint_and_whether_it_is_trusted()
    {
        const string trusted = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        const string other = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
        var store = new TrustStore(new ConfigFolder(_config.Path));
        store.Remember(new TrustedAppliance("aa", "office", "192.0.2.20:6677", trusted, DateTimeOffset.UnixEpoch));
        store.Remember(new TrustedAppliance("bb", "lab", "192.0.2.30:6677", trusted, DateTimeOffset.UnixEpoch));
        store.Remember(new TrustedAppliance("cc", "attic", "192.0.2.40:6677", trusted, DateTimeOffset.UnixEpoch));
        _lan =
        [
            new("office", "pi.local", System.Net.IPAddress.Parse("192.0.2.20"), 6677, 1, "aa", 6678, trusted),
            new("lab", "lab.local", System.Net.IPAddress.Parse("192.0.2.31"), 6677, 1, "bb", 6678, other),
            new("new", "new.local", System.Net.IPAddress.Parse("192.0.2.50"), 6677, 1, "dd", 6678, other),
        ];

        var (exitCode, stdout, _) = await RunAsync(null, "servers");
        Assert.Equal(0, exitCode);
        Assert.Equal($"""
            NAME    SERVER           TRUSTED  FINGERPRINT
            office  192.0.2.20:6677  yes      {trusted}
            lab     192.0.2.31:6677  CHANGED  {other}
            new     192.0.2.50:6677  no       {other}

            Also trusted (did not answer on the LAN just now):
              attic  192.0.2.40:6677  {trusted}

            """.ReplaceLineEndings(Environment.NewLine), stdout);

        (exitCode, stdout, _) = await RunAsync(null, "servers", "--json");
        Assert.Equal(0, exitCode);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var servers = json.RootElement.GetProperty("servers").EnumerateArray().ToList();
        Assert.Equal(["yes", "changed", "no"], servers.Select(s => s.GetProperty("trust").GetString()));
        Assert.Equal(other, servers[1].GetProperty("fingerprint").GetString());
        Assert.Equal(trusted, servers[1].GetProperty("trustedFingerprint").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, servers[2].GetProperty("trustedFingerprint").ValueKind);
        Assert.Equal(3, json.RootElement.GetProperty("trusted").GetArrayLength());
    }
}
