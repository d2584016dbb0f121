using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OC.Tests.Cli;
using OC.Tests.Http;
using OC.Tests.Integration;
using Xunit.Abstractions;

namespace OC.Tests.EndToEnd;

/// <summary>
/// The linux-arm64 binaries (what a Raspberry Pi runs), cross-published by ./test.sh and run on
/// this x64 machine under qemu-user: the arm64 `oc-appliance` and the arm64 `oc` through
/// register, login, friends, a message both ways into the history, and a clean stop. It needs
/// OC_ARM64_APPLIANCE, OC_ARM64_CLI and OC_ARM64_RUNNER (test.sh sets them when the cross
/// toolchain and qemu-user are there; .ci/run installs them). Every step is written to the test
/// output and to artifacts/test-results/arm64-under-qemu.txt, which test.sh prints.
/// </summary>
public sealed partial class Arm64UnderQemuTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "arm64 pw";
    private readonly string _data = TempDirectory.Create("oc-arm64");
    private readonly TempFolder _alice = new();
    private readonly TempFolder _bob = new();
    private readonly List<string> _transcript = [];

    public void Dispose()
    {
        TempDirectory.Delete(_data);
        _alice.Dispose();
        _bob.Dispose();
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    [Fact]
    public async Task The_arm64_appliance_and_oc_register_log_in_and_exchange_a_message_under_qemu()
    {
        var arm64 = Arm64Binaries.FromEnvironment();
        if (arm64 is null)
        {
            RequiredTool.Missing(output, $"{Arm64Binaries.ApplianceVariable} and {Arm64Binaries.CliVariable} are not set (./test.sh sets them when it could cross-publish linux-arm64 and qemu-aarch64 is installed)");
            return;
        }
        try
        {
            await RunAsync(arm64);
        }
        finally
        {
            TestResults.Save("arm64-under-qemu.txt", _transcript);
        }
    }

    private async Task RunAsync(Arm64Binaries arm64)
    {
        Assert.True(Arm64Binaries.IsAArch64Elf(arm64.Appliance), $"{arm64.Appliance} is not an aarch64 ELF executable");
        Assert.True(Arm64Binaries.IsAArch64Elf(arm64.Cli), $"{arm64.Cli} is not an aarch64 ELF executable");
        Note($"binaries: {arm64.Appliance} and {arm64.Cli} (ELF, aarch64); runner: {arm64.Describe("BINARY")}");

        using var appliance = ApplianceProcess.Run(args => arm64.Start(arm64.Appliance, args), _data, "--name", "arm64-under-qemu");
        int port = appliance.Port;
        Note($"$ {arm64.Describe(arm64.Appliance)} --data DIR --port 0 --http-port 0 --bind 127.0.0.1 --name arm64-under-qemu");
        Note("  " + appliance.Log.TrimEnd().Replace("\n", "\n  ", StringComparison.Ordinal));
        string server = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

        string alice = await RegisterAndLoginAsync(arm64, server, _alice, "alice");
        string bob = await RegisterAndLoginAsync(arm64, server, _bob, "bob");

        var whoami = await OcAsync(arm64, _alice, null, "whoami", "--json");
        Assert.Contains($"\"ocNumber\":{int.Parse(alice, CultureInfo.InvariantCulture)}", whoami.Stdout, StringComparison.Ordinal);

        await OcAsync(arm64, _alice, null, "friends", "add", bob);
        await OcAsync(arm64, _bob, null, "friends", "accept", alice);
        await OcAsync(arm64, _alice, null, "send", bob, "hello from arm64 🙂");
        await OcAsync(arm64, _bob, null, "send", alice, "and back");

        var history = await OcAsync(arm64, _bob, null, "history", alice, "--json");
        var lines = history.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        using (var first = JsonDocument.Parse(lines[0]))
        using (var second = JsonDocument.Parse(lines[1]))
        {
            Assert.Equal("hello from arm64 🙂", first.RootElement.GetProperty("text").GetString());
            Assert.Equal(uint.Parse(alice, CultureInfo.InvariantCulture), first.RootElement.GetProperty("from").GetUInt32());
            Assert.Equal("and back", second.RootElement.GetProperty("text").GetString());
        }

        // The arm64 appliance's HTTP side (its JSON is source-generated: AOT on arm64 too).
        using var http = StatusClient.Create(Assert.NotNull(appliance.HttpPort));
        var status = await StatusClient.GetStatusAsync(http);
        Note($"GET /api/status: name {status.GetProperty("name")}, users_registered {status.GetProperty("users_registered")}, messages_stored {status.GetProperty("messages_stored")}, poller {status.GetProperty("poller")}");
        Assert.Equal("arm64-under-qemu", status.GetProperty("name").GetString());
        Assert.Equal(2, status.GetProperty("users_registered").GetInt64());
        Assert.Equal(2, status.GetProperty("messages_stored").GetInt64());

        int exit = appliance.Terminate(TimeSpan.FromSeconds(60));
        Note($"SIGTERM: oc-appliance exited {exit}");
        Assert.True(exit == 0, appliance.Log);
        Note("passed: the arm64 oc-appliance and oc ran under " + (arm64.Runner.Length > 0 ? string.Join(' ', arm64.Runner) : "no runner"));
    }

    private async Task<string> RegisterAndLoginAsync(Arm64Binaries arm64, string server, TempFolder config, string nick)
    {
        var register = await OcAsync(arm64, config, Password + "\n", "register", "--server", server, "--nick", nick, "--password-stdin");
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        Assert.Matches(@"^\d{6}$", number);
        await OcAsync(arm64, config, Password + "\n", "login", number, "--password-stdin");
        return number;
    }

    /// <summary>Runs the arm64 oc, writes the command and its output down, and requires exit 0.</summary>
    private async Task<OcRun> OcAsync(Arm64Binaries arm64, TempFolder config, string? stdin, params string[] args)
    {
        string who = config == _alice ? "alice" : "bob";
        var started = DateTime.UtcNow;
        // Emulated, both ends do their TLS handshake's ECDHE and ECDSA about 20 times slower than
        // natively, on a shared machine: the 5 s default --timeout is for real hardware.
        var run = await OcProcess.RunProgramAsync(arm64.Start(arm64.Cli, []), config.Path, stdin, null, [.. args, "--timeout", "60"]);
        Note($"[{who}] $ {arm64.Describe(arm64.Cli)} {string.Join(' ', args.Select(Quote))}{(stdin is null ? "" : " < password")}"
            + $"  -> exit {run.ExitCode} in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        foreach (var line in (run.Stdout + run.Stderr).TrimEnd('\n').Split('\n')) Note("  " + line);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private static string Quote(string arg) => arg.Contains(' ', StringComparison.Ordinal) ? $"'{arg}'" : arg;

    private void Note(string line)
    {
        _transcript.Add(line);
        output.WriteLine(line);
    }
}
