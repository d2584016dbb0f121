using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Tests.Cli;
using OC.Tests.Integration;

namespace OC.Tests.EndToEnd;

/// <summary>
/// <c>oc-appliance user</c> as a process (the published AOT binary under ./test.sh) against a running
/// appliance process, through its admin socket, and against a stopped one's data folder; the user's
/// side with the real <c>oc</c>.
/// </summary>
public sealed partial class UserAdminProcessTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private readonly string _data = TempDirectory.Create("oc-useradmin");
    private readonly TempFolder _config = new();

    public void Dispose()
    {
        _config.Dispose();
        TempDirectory.Delete(_data);
    }

    [GeneratedRegex(@"^New password for (\d{6}): ([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})$", RegexOptions.Multiline)]
    private static partial Regex NewPasswordLine();

    private Task<OcRun> Oc(string? stdin, params string[] args) => OcProcess.RunAsync(_config.Path, stdin, null, args);

    /// <summary>Runs <c>oc-appliance ARGS</c> to its end.</summary>
    private static async Task<OcRun> ApplianceToolAsync(string? stdin, params string[] args)
    {
        var start = ApplianceProcess.Command(args);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("oc-appliance did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"oc-appliance {string.Join(' ', args)} did not exit within {ProcessTimeout.TotalSeconds} s");
        }
        return new OcRun(process.ExitCode, (await stdout).ReplaceLineEndings("\n"), (await stderr).ReplaceLineEndings("\n"));
    }

    private static void AssertSuccess(OcRun run) => Assert.True(run.ExitCode == 0, run.ToString());

    private async Task<string> RegisterAndLoginAsync(ApplianceProcess appliance, string nick)
    {
        string server = $"127.0.0.1:{appliance.Port}";
        var register = await Oc(Password + "\n", "register", "--server", server, "--nick", nick, "--password-stdin");
        AssertSuccess(register);
        string number = Regex.Match(register.Stdout, @"\d{6}").Value;
        AssertSuccess(await Oc(Password + "\n", "login", number, "--password-stdin"));
        return number;
    }

    [Fact]
    public async Task Reset_password_on_a_running_appliance_ends_the_sessions_and_the_new_password_logs_in()
    {
        using var appliance = new ApplianceProcess(_data);
        string number = await RegisterAndLoginAsync(appliance, "forgetful");
        // A connection that stays: the reset must close it, not only refuse its next resume.
        await using var live = await appliance.ConnectAsync();
        await OcAccounts.LoginAsync(live, uint.Parse(number, System.Globalization.CultureInfo.InvariantCulture), Password);

        var list = await ApplianceToolAsync(null, "user", "list", "--data", _data, "--json");
        AssertSuccess(list);
        Assert.Contains("using the running appliance", list.Stderr, StringComparison.Ordinal);
        var user = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.GetProperty("users").EnumerateArray());
        Assert.Equal(number, user.GetProperty("ocNumber").GetInt32().ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, user.GetProperty("sessions").GetInt32());

        var reset = await ApplianceToolAsync(null, "user", "reset-password", number, "--data", _data);
        AssertSuccess(reset);
        var match = NewPasswordLine().Match(reset.Stdout);
        Assert.True(match.Success, reset.ToString());
        Assert.Equal(number, match.Groups[1].Value);
        string oneTime = match.Groups[2].Value;

        await live.Completion.WaitAsync(ProcessTimeout);
        var ended = Assert.IsType<OcErrorException>(Assert.IsType<OcConnectionException>(live.ClosedBecause).InnerException);
        Assert.Equal(ErrorCode.SessionEnded, ended.Code);
        var whoami = await Oc(null, "whoami");
        Assert.Equal((1, $"oc: session expired; run oc login {number}\n"), (whoami.ExitCode, whoami.Stderr));
        var old = await Oc(Password + "\n", "login", number, "--password-stdin");
        Assert.Equal((1, "oc: wrong password\n"), (old.ExitCode, old.Stderr));
        AssertSuccess(await Oc(oneTime + "\n", "login", number, "--password-stdin"));
        AssertSuccess(await Oc(null, "whoami"));

        // A password of the administrator's choosing, from stdin: nothing is printed but the note.
        var chosen = await ApplianceToolAsync("chosen by the admin\n", "user", "reset-password", number, "--data", _data, "--password-stdin");
        AssertSuccess(chosen);
        Assert.DoesNotContain("New password", chosen.Stdout, StringComparison.Ordinal);
        AssertSuccess(await Oc("chosen by the admin\n", "login", number, "--password-stdin"));

        Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
        Assert.Contains("accounts.password_reset", appliance.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_and_unknown_numbers_on_a_running_appliance()
    {
        using var appliance = new ApplianceProcess(_data);
        string number = await RegisterAndLoginAsync(appliance, "leaving");
        string unknown = number == "100000" ? "100001" : "100000";

        var missing = await ApplianceToolAsync(null, "user", "reset-password", unknown, "--data", _data);
        Assert.Equal((1, ""), (missing.ExitCode, missing.Stdout));
        Assert.EndsWith($"oc-appliance: no user has OC number {unknown}\n", missing.Stderr, StringComparison.Ordinal);

        var delete = await ApplianceToolAsync(null, "user", "delete", number, "--data", _data, "--json");
        AssertSuccess(delete);
        Assert.Equal($"{{\"ocNumber\":{int.Parse(number, System.Globalization.CultureInfo.InvariantCulture)},\"deleted\":true}}\n", delete.Stdout);

        var login = await Oc(Password + "\n", "login", number, "--password-stdin");
        Assert.Equal((1, $"oc: no user has OC number {number}\n"), (login.ExitCode, login.Stderr));
        var list = await ApplianceToolAsync(null, "user", "list", "--data", _data);
        Assert.Equal((0, "No accounts yet.\n"), (list.ExitCode, list.Stdout));
    }

    [Fact]
    public async Task Bad_arguments_are_usage_errors_and_change_nothing()
    {
        var ttl = await ApplianceToolAsync(null, "--session-ttl", "0d", "--data", _data);
        Assert.Equal(2, ttl.ExitCode);
        Assert.Equal("oc-appliance: --session-ttl: '0d' is not a time such as 30d (see oc-appliance --help)\n", ttl.Stderr);

        var number = await ApplianceToolAsync(null, "user", "reset-password", "12", "--data", _data);
        Assert.Equal(2, number.ExitCode);
        Assert.StartsWith("oc-appliance: '12' is not an OC number", number.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "oc.db")), "a usage error opened the data folder");
    }

    [Fact]
    public async Task With_the_appliance_stopped_the_tool_opens_the_data_folder_itself_and_the_appliance_starts_after_it()
    {
        string number;
        using (var appliance = new ApplianceProcess(_data))
        {
            number = await RegisterAndLoginAsync(appliance, "offline");
            Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
        }

        var reset = await ApplianceToolAsync("reset while stopped\n", "user", "reset-password", number, "--data", _data, "--password-stdin");
        AssertSuccess(reset);
        Assert.Contains("no appliance is running", reset.Stderr, StringComparison.Ordinal);
        var list = await ApplianceToolAsync(null, "user", "list", "--data", _data);
        AssertSuccess(list);
        Assert.Matches($@"(?m)^{number}  offline +\d{{4}}-\d\d-\d\d \d\d:\d\d +0  -$", list.Stdout);

        // The lock is free again, and the appliance takes the new password (its port is a new one).
        using var again = new ApplianceProcess(_data);
        AssertSuccess(await Oc("reset while stopped\n", "--server", $"127.0.0.1:{again.Port}", "login", number, "--password-stdin"));

        var missing = await ApplianceToolAsync(null, "user", "list", "--data", Path.Combine(_data, "nothing-here"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no appliance data in", missing.Stderr, StringComparison.Ordinal);
    }
}
