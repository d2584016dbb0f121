using System.Net;
using OC.CliClient;
using OC.CliClient.Config;
using OC.CliClient.Discovery;
using OC.CliClient.Terminal;
using OC.Tests.Http;
using OC.Tests.Integration;

namespace OC.Tests.Cli;

/// <summary>
/// The question of a first connection, as a person at a terminal meets it: oc in-process with a
/// terminal for stdin (typed lines), the real appliance over TLS, and a LAN that announces what the
/// test says (the mDNS line of the question).
/// </summary>
public sealed class CliTrustInProcessTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly TestAppliance _appliance = new();
    private readonly TempFolder _config = new();

    public void Dispose()
    {
        _config.Dispose();
        _appliance.Dispose();
    }

    private string Server => $"127.0.0.1:{_appliance.Port}";

    private string Fingerprint => _appliance.Fingerprint!;

    private TrustStore Store => new(new ConfigFolder(_config.Path));

    private DiscoveredAppliance Announced(string? fingerprint) =>
        new("test-appliance", "localhost", IPAddress.Loopback, _appliance.Port, 1, null, null, fingerprint);

    private async Task<(int ExitCode, string Out, string Err)> OnTerminalAsync(string typed, IReadOnlyList<DiscoveredAppliance> lan, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var terminal = new StringReader(typed); // One reader, as Console.In is: the answer, then the password.
        var environment = new CliEnvironment(
            name => name == ConfigFolder.ConfigDirVariable ? _config.Path : null, () => terminal, stdout, stderr,
            InputIsTerminal: true, HomeFolder: "/nonexistent-home")
        {
            Discover = (_, _) => Task.FromResult(lan),
        };
        int exitCode = await OcCli.RunAsync(args, environment);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Yes_to_the_question_remembers_the_fingerprint_and_the_next_connection_asks_nothing()
    {
        var (exitCode, stdout, stderr) = await OnTerminalAsync(
            "yes\n" + Password + "\n", [Announced(Fingerprint)], "register", "--server", Server, "--nick", "alice", "--password-stdin");

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("Registered. Your OC number is ", stdout, StringComparison.Ordinal);
        Assert.Contains($"The appliance at {Server} is not known to oc yet.\n", stderr, StringComparison.Ordinal);
        Assert.Contains("  Name:         test-appliance\n", stderr, StringComparison.Ordinal);
        Assert.Contains($"  Fingerprint:  {Fingerprint}\n", stderr, StringComparison.Ordinal);
        Assert.Contains("  On the LAN:   the same fingerprint is announced on the LAN (mDNS, \"test-appliance\")\n", stderr, StringComparison.Ordinal);
        Assert.Contains("Trust this appliance and remember its fingerprint (yes/no)? ", stderr, StringComparison.Ordinal);
        Assert.EndsWith($"oc: trusting test-appliance ({Fingerprint}) from now on\n", stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);

        var trusted = Assert.Single(Store.Load());
        Assert.Equal((Fingerprint, "test-appliance", Server), (trusted.Fingerprint, trusted.Name, trusted.Address));
        Assert.Matches("^[0-9a-f]{32}$", trusted.Id);

        (exitCode, _, stderr) = await OnTerminalAsync(Password + "\n", [], "register", "--server", Server, "--nick", "bob", "--password-stdin");
        Assert.True(exitCode == 0, stderr);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task No_to_the_question_sends_nothing_and_remembers_nothing()
    {
        string other = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        var (exitCode, stdout, stderr) = await OnTerminalAsync(
            "no\n" + Password + "\n", [Announced(other)], "register", "--server", Server, "--nick", "alice", "--password-stdin");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Empty(stdout);
        Assert.Contains($"  On the LAN:   DIFFERS from the one announced on the LAN (mDNS, \"test-appliance\": {other}): be careful\n", stderr, StringComparison.Ordinal);
        Assert.EndsWith($"oc: the appliance at {Server} is not trusted; nothing was sent\n", stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Empty(Store.Load());
        await AssertNothingReceivedAsync();
    }

    // The appliance accepted the connection but received not one frame: oc refused the certificate
    // before its HELLO, let alone a password. (Had it sent HELLO, it would have waited for WELCOME,
    // so the frame would be counted by the time the command ended.)
    private async Task AssertNothingReceivedAsync()
    {
        using var http = StatusClient.Create(_appliance.HttpPort);
        var status = await StatusClient.GetStatusAsync(http);
        Assert.True(status.GetProperty("connections_accepted").GetInt64() >= 1, status.ToString());
        Assert.Equal(0, status.GetProperty("frames_received").GetInt64());
        Assert.Equal(0, status.GetProperty("users_registered").GetInt64());
    }

    [Fact]
    public async Task End_of_input_at_the_question_is_no()
    {
        var (exitCode, _, stderr) = await OnTerminalAsync("", [], "register", "--server", Server, "--nick", "alice", "--password-stdin");
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("  On the LAN:   not announced on the LAN (no mDNS answer names it)\n", stderr, StringComparison.Ordinal);
        Assert.EndsWith("is not trusted; nothing was sent\n", stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Empty(Store.Load());
        await AssertNothingReceivedAsync();
    }
}
