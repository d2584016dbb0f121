using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>
/// Failed logins until the appliance throttles the account. A class of its own, so its appliance
/// (and its per-address failure count) is not shared with the other tests.
/// </summary>
public sealed class CliThrottleTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private readonly TempFolder _config = new();

    public void Dispose() => _config.Dispose();

    [Fact]
    public async Task After_repeated_wrong_passwords_login_says_when_to_try_again()
    {
        var register = await OcProcess.RunAsync(_config.Path, "right\n", null, "register", "--server", appliance.Server, "--nick", "mallory", "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = Regex.Match(register.Stdout, @"\d{6}").Value;

        // docs/protocol.md: 5 failures are free, then each one locks the account for 1, 2, 4... s.
        // An attempt made while it is locked is refused before the password is even checked;
        // the growing lock outlasts the start of the next process even on a slow machine.
        OcRun run = register;
        for (int attempt = 1; attempt <= 12; attempt++)
        {
            run = await OcProcess.RunAsync(_config.Path, "wrong\n", null, "login", number, "--password-stdin");
            Assert.Equal(1, run.ExitCode);
            Assert.Single(run.StderrLines);
            if (run.Stderr.Contains("too many", StringComparison.Ordinal)) break;
            Assert.Equal("oc: wrong password\n", run.Stderr);
        }

        Assert.Matches(@"^oc: too many failed logins; try again in \d+ s\n$", run.Stderr);
    }
}
