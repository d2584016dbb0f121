using System.Text.RegularExpressions;
using OC.CliClient.Config;
using OC.Tests.Http;
using OC.Tests.Integration;
using OC.Tests.Support.Net;

namespace OC.Tests.Cli;

/// <summary>
/// Trust on first use with the real `oc` process and the appliance over TLS: the runs here pass
/// exactly the options they name (<see cref="OcProcess.RunUntrustedAsync"/>), none of the
/// <c>--trust-first-use</c> the other CLI tests run with.
/// </summary>
public sealed partial class CliTrustTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private const string SomeoneElses = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    private readonly TempFolder _config = new();

    public void Dispose() => _config.Dispose();

    private string TrustFile => Path.Combine(_config.Path, "known-appliances.json");

    private Task<OcRun> Oc(string? stdin, params string[] args) => OcProcess.RunUntrustedAsync(_config.Path, stdin, args);

    private Task<OcRun> Register(string server, params string[] options) =>
        Oc(Password + "\n", ["register", "--server", server, "--nick", "alice", "--password-stdin", .. options]);

    [GeneratedRegex(@"^Registered\. Your OC number is (\d{6})\.")]
    private static partial Regex Registered();

    private static void AssertOneErrorLine(OcRun run, int exitCode, string message)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Equal("oc: " + message + "\n", run.Stderr);
    }

    [Fact]
    public async Task A_first_connection_without_a_terminal_is_refused_with_the_fingerprint_and_how_to_trust_it()
    {
        var run = await Register(appliance.Server);

        AssertOneErrorLine(run, 2,
            $"the appliance at {appliance.Server} (\"test-appliance\", id {await ApplianceIdAsync()}) is not trusted yet and there is no terminal to ask; "
            + $"it presents {appliance.Fingerprint}: if that is what the appliance shows (oc-appliance fingerprint --data DIR), "
            + $"run again with --trust {appliance.Fingerprint} (or --trust-first-use to accept it unchecked); nothing was sent");
        Assert.False(File.Exists(TrustFile));
    }

    [Fact]
    public async Task Trust_with_the_appliance_fingerprint_connects_and_remembers_it_for_the_next_commands()
    {
        var register = await Register(appliance.Server, "--trust", appliance.Fingerprint);
        Assert.True(register.ExitCode == 0, register.ToString());
        Assert.Equal("", register.Stderr);
        Assert.Contains($"\"fingerprint\": \"{appliance.Fingerprint}\"", File.ReadAllText(TrustFile), StringComparison.Ordinal);

        string number = Registered().Match(register.Stdout).Groups[1].Value;
        var login = await Oc(Password + "\n", "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal("", login.Stderr);

        // The hex form openssl prints is the same fingerprint.
        var again = await Oc(null, "whoami", "--trust", HexOf(appliance.Fingerprint));
        Assert.True(again.ExitCode == 0, again.ToString());
    }

    [Fact]
    public async Task Trust_with_another_fingerprint_is_refused_and_nothing_is_remembered()
    {
        var run = await Register(appliance.Server, "--trust", SomeoneElses);
        AssertOneErrorLine(run, 1, $"the appliance at {appliance.Server} presents {appliance.Fingerprint}, not {SomeoneElses} (--trust); refused (nothing was sent)");
        Assert.False(File.Exists(TrustFile));
    }

    [Fact]
    public async Task Trust_first_use_remembers_the_appliance_and_servers_forget_makes_it_unknown_again()
    {
        var register = await Register(appliance.Server, "--trust-first-use");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = Registered().Match(register.Stdout).Groups[1].Value;
        Assert.Equal(0, (await Oc(Password + "\n", "login", number, "--password-stdin")).ExitCode);

        var forget = await Oc(null, "servers", "forget", appliance.Server);
        Assert.True(forget.ExitCode == 0, forget.ToString());
        Assert.Equal($"Forgot test-appliance ({appliance.Fingerprint}, {appliance.Server}).\n", forget.Stdout);

        var whoami = await Oc(null, "whoami");
        Assert.Equal(2, whoami.ExitCode);
        Assert.Contains("is not trusted yet and there is no terminal to ask", whoami.Stderr, StringComparison.Ordinal);

        var forgetAgain = await Oc(null, "servers", "forget", appliance.Server);
        AssertOneErrorLine(forgetAgain, 1, $"no trusted appliance is named {appliance.Server} (by name, id or address; oc servers lists them)");
    }

    [Fact]
    public async Task A_changed_certificate_is_refused_with_both_fingerprints_and_gets_nothing_until_forgotten()
    {
        // The appliance that was trusted, with a session of alice; then another one (a new data
        // folder: a new certificate and id) at the same address, as a man in the middle would be.
        string server, trustedFingerprint, number;
        int port;
        using (var first = new TestAppliance())
        {
            port = first.Port;
            server = $"127.0.0.1:{port}";
            trustedFingerprint = first.Fingerprint!;
            var register = await Register(server, "--trust", trustedFingerprint);
            Assert.True(register.ExitCode == 0, register.ToString());
            number = Registered().Match(register.Stdout).Groups[1].Value;
            Assert.Equal(0, (await Oc(Password + "\n", "login", number, "--password-stdin")).ExitCode);
        }

        using var second = new TestAppliance(configure: o => o with { Port = port });
        string newFingerprint = second.Fingerprint!;
        Assert.NotEqual(trustedFingerprint, newFingerprint);

        foreach (var run in new[]
        {
            await Oc(null, "whoami"),                                            // would RESUME with the token
            await Oc(Password + "\n", "login", number, "--password-stdin", "--trust-first-use"), // options accept no change
            await Oc(Password + "\n", "login", number, "--password-stdin", "--trust", newFingerprint),
        })
        {
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Equal("", run.Stdout);
            Assert.Contains("WARNING: THE APPLIANCE'S CERTIFICATE HAS CHANGED!", run.Stderr, StringComparison.Ordinal);
            Assert.Contains($"\n  Trusted:    {trustedFingerprint}  (\"test-appliance\", id ", run.Stderr, StringComparison.Ordinal);
            Assert.Contains($"\n  Presented:  {newFingerprint}  (\"test-appliance\", id ", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("\n  oc-appliance fingerprint --data DIR\n", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("\n  oc servers forget test-appliance\n", run.Stderr, StringComparison.Ordinal);
            Assert.EndsWith($"\noc: the certificate of the appliance at {server} has changed; refused (nothing was sent)\n", run.Stderr, StringComparison.Ordinal);
        }

        // Not a frame reached it: no HELLO, no token, no login. (Each run would have waited for the
        // answer to its HELLO, so a frame sent would be counted by now.)
        using (var http = StatusClient.Create(second.HttpPort))
        {
            var status = await StatusClient.GetStatusAsync(http);
            Assert.True(status.GetProperty("connections_accepted").GetInt64() >= 3, status.ToString());
            Assert.Equal(0, status.GetProperty("frames_received").GetInt64());
        }

        var forget = await Oc(null, "servers", "forget", "test-appliance");
        Assert.True(forget.ExitCode == 0, forget.ToString());
        var now = await Register(server, "--trust", newFingerprint);
        Assert.True(now.ExitCode == 0, now.ToString());
        Assert.Contains($"\"fingerprint\": \"{newFingerprint}\"", File.ReadAllText(TrustFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_man_in_the_middle_at_a_trusted_address_gets_the_warning_and_no_byte_of_ours()
    {
        // alice's session, and the appliance trusted, at the address a relay now holds: as if the
        // relay had taken the appliance's place on the LAN (ARP or DHCP spoofing).
        var register = await Register(appliance.Server, "--trust", appliance.Fingerprint);
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = Registered().Match(register.Stdout).Groups[1].Value;
        Assert.Equal(0, (await Oc(Password + "\n", "login", number, "--password-stdin")).ExitCode);
        int port = int.Parse(appliance.Server.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var relay = new TlsRelay(port);
        string relayed = $"127.0.0.1:{relay.Port}";
        var folder = new ConfigFolder(_config.Path);
        var trusted = Assert.Single(new TrustStore(folder).Load());
        File.WriteAllText(folder.TrustFile, File.ReadAllText(folder.TrustFile).Replace(appliance.Server, relayed, StringComparison.Ordinal));
        File.WriteAllText(folder.SessionFile, File.ReadAllText(folder.SessionFile).Replace(appliance.Server, relayed, StringComparison.Ordinal));
        byte[] token = new SessionStore(folder).Load()!.Token;

        var whoami = await Oc(null, "whoami");
        var login = await Oc(Password + "\n", "login", number, "--server", relayed, "--password-stdin", "--trust-first-use");
        foreach (var run in new[] { whoami, login })
        {
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains($"\n  Trusted:    {trusted.Fingerprint}  (\"test-appliance\", id {trusted.Id}, ", run.Stderr, StringComparison.Ordinal);
            Assert.Contains($"\n  Presented:  {relay.Fingerprint}  (\"not the appliance\")\n", run.Stderr, StringComparison.Ordinal);
            Assert.EndsWith($"\noc: the certificate of the appliance at {relayed} has changed; refused (nothing was sent)\n", run.Stderr, StringComparison.Ordinal);
        }

        // The relay decrypted nothing: no HELLO, so neither the token nor a login.
        Assert.Equal(0, relay.Plaintext.Length);
        Assert.False(relay.Plaintext.Contains(token));
    }

    [Fact]
    public async Task A_relay_trusted_by_mistake_still_gets_no_login()
    {
        var register = await Register(appliance.Server, "--trust", appliance.Fingerprint);
        string number = Registered().Match(register.Stdout).Groups[1].Value;
        int port = int.Parse(appliance.Server.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var relay = new TlsRelay(port);

        // A script that accepts the risk, pointed at the relay: it trusts the relay's certificate,
        // but its login is bound to that certificate and the appliance refuses it (channel binding).
        var login = await Oc(Password + "\n", "login", number, "--server", $"127.0.0.1:{relay.Port}", "--password-stdin", "--trust-first-use");
        Assert.Equal(1, login.ExitCode);
        Assert.Equal("", login.Stdout);
        Assert.StartsWith("oc: login failed: the appliance's end of this connection is not the certificate this client was shown", login.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_config.Path, "session.json")));
    }

    [Fact]
    public async Task On_a_terminal_the_first_connection_shows_the_fingerprint_and_asks_before_anything_is_sent()
    {
        var run = await OcProcess.RunUntrustedOnTerminalAsync(_config.Path, "yes\n" + Password + "\n",
            "register", "--server", appliance.Server, "--nick", "alice", "--password-stdin");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"The appliance at {appliance.Server} is not known to oc yet.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"  Fingerprint:  {appliance.Fingerprint}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Trust this appliance and remember its fingerprint (yes/no)? ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Registered. Your OC number is ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"fingerprint\": \"{appliance.Fingerprint}\"", File.ReadAllText(TrustFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plaintext_appliance_needs_insecure_and_then_oc_says_once_that_nothing_is_encrypted()
    {
        using var plain = new TestAppliance(configure: o => o with { InsecurePlaintext = true });
        string server = $"127.0.0.1:{plain.Port}";

        AssertOneErrorLine(await Register(server), 1,
            $"the appliance at {server} does not speak TLS: if it was started with --insecure-plaintext, add --insecure (then everything crosses the network in clear)");

        var register = await Register(server, "--insecure");
        Assert.True(register.ExitCode == 0, register.ToString());
        Assert.Equal($"oc: warning: the connection to {server} is not encrypted (--insecure): anyone on the network can read and change what it carries\n", register.Stderr);
        Assert.False(File.Exists(TrustFile));
    }

    [Fact]
    public async Task Insecure_against_an_appliance_that_speaks_TLS_still_uses_TLS_and_its_trust()
    {
        var run = await Register(appliance.Server, "--insecure", "--trust", appliance.Fingerprint);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);

        AssertOneErrorLine(await Register(appliance.Server, "--insecure", "--trust", SomeoneElses), 1,
            $"the appliance at {appliance.Server} presents {appliance.Fingerprint}, not {SomeoneElses} (--trust); refused (nothing was sent)");
    }

    // The appliance's id as it says in WELCOME (the same as in its certificate and mDNS).
    private async Task<string> ApplianceIdAsync()
    {
        int port = int.Parse(appliance.Server.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var connection = await OC.Protocol.Client.OcConnection.ConnectAsync(
            "127.0.0.1", port, "tests", OC.Protocol.Client.OcTransport.Pinned(appliance.Fingerprint));
        return connection.Welcome.ApplianceId;
    }

    private static string HexOf(string fingerprint) =>
        Convert.ToHexString(Convert.FromBase64String(fingerprint["SHA256:".Length..] + "=")).ToLowerInvariant();
}
