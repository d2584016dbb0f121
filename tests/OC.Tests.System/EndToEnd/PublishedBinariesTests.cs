using System.Globalization;
using System.Text.RegularExpressions;
using OC.Tests.Cli;
using OC.Tests.Integration;

namespace OC.Tests.EndToEnd;

/// <summary>
/// The two binaries together, as a user runs them: `oc` (OC_CLI_PATH) against `oc-appliance`
/// (OC_APPLIANCE_PATH) as separate processes. Under ./test.sh both are the published NativeAOT
/// binaries (test.sh checks that they are native executables before the tests start).
/// </summary>
public sealed partial class PublishedBinariesTests : IDisposable
{
    private readonly string _data = TempDirectory.Create("oc-aot");
    private readonly string _config = TempDirectory.Create("oc-aot-config");

    public void Dispose()
    {
        TempDirectory.Delete(_data);
        TempDirectory.Delete(_config);
    }

    [GeneratedRegex(@"Your OC number is (\d{6})\.")]
    private static partial Regex NumberText();

    private Task<OcRun> Oc(string? stdin, params string[] args) => OcProcess.RunAsync(_config, stdin, null, args);

    [Fact]
    public async Task Register_login_whoami_and_the_failures_a_user_meets()
    {
        using var appliance = new ApplianceProcess(_data);
        string server = "127.0.0.1:" + appliance.Port.ToString(CultureInfo.InvariantCulture);

        var register = await Oc("s3cret\n", "register", "--server", server, "--nick", "aot user", "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        string number = NumberText().Match(register.Stdout).Groups[1].Value;
        Assert.Matches(@"^\d{6}$", number);

        var login = await Oc("s3cret\n", "login", number, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());

        var whoami = await Oc(null, "whoami", "--json");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Contains($"\"ocNumber\":{int.Parse(number, CultureInfo.InvariantCulture)}", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"nick\":\"aot user\"", whoami.Stdout, StringComparison.Ordinal);

        var wrong = await Oc("nope\n", "login", number, "--password-stdin");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Equal("oc: wrong password\n", wrong.Stderr);

        string unknown = number == "999999" ? "999998" : "999999";
        var missing = await Oc("s3cret\n", "login", unknown, "--password-stdin");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"oc: no user has OC number {unknown}\n", missing.Stderr);

        Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
        var dead = await Oc(null, "whoami");
        Assert.Equal(1, dead.ExitCode);
        Assert.Single(dead.StderrLines);
        Assert.Contains(server, dead.Stderr, StringComparison.Ordinal);
    }
}
