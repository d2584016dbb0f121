using System.Text.Json;
using System.Text.RegularExpressions;

namespace OC.Tests.Cli;

/// <summary>
/// oc sessions, oc sessions revoke, oc logout --all and oc passwd as real oc processes, for one
/// account logged in from two "devices" (two config folders) against a real appliance.
/// </summary>
public sealed class CliSessionsTests(CliApplianceFixture appliance) : IClassFixture<CliApplianceFixture>, IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly TempFolder _laptop = new();
    private readonly TempFolder _phone = new();

    public void Dispose()
    {
        _laptop.Dispose();
        _phone.Dispose();
    }

    private static Task<OcRun> Oc(TempFolder device, string? stdin, params string[] args) => OcProcess.RunAsync(device.Path, stdin, null, args);

    private static void AssertSuccess(OcRun run) => Assert.True(run.ExitCode == 0, run.ToString());

    private static void AssertFailure(OcRun run, int exitCode, string message)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Equal("oc: " + message + "\n", run.Stderr);
    }

    /// <summary>Registers an account and logs it in on both devices; returns its number.</summary>
    private async Task<string> LoggedInTwiceAsync(string nick)
    {
        var register = await Oc(_laptop, Password + "\n", "register", "--server", appliance.Server, "--nick", nick, "--password-stdin");
        AssertSuccess(register);
        string number = Regex.Match(register.Stdout, @"\d{6}").Value;
        AssertSuccess(await Oc(_laptop, Password + "\n", "login", number, "--device", "laptop", "--password-stdin"));
        AssertSuccess(await Oc(_phone, Password + "\n", "--server", appliance.Server, "login", number, "--device", "phone", "--password-stdin"));
        return number;
    }

    private static async Task<JsonElement[]> SessionsAsync(TempFolder device)
    {
        var run = await Oc(device, null, "sessions", "--json");
        AssertSuccess(run);
        return [.. JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sessions").EnumerateArray()];
    }

    private static async Task AssertSessionExpiredAsync(TempFolder device, string number) =>
        AssertFailure(await Oc(device, null, "whoami"), 1, $"session expired; run oc login {number}");

    [Fact]
    public async Task Sessions_lists_every_device_with_this_one_marked()
    {
        await LoggedInTwiceAsync("alice");

        var text = await Oc(_laptop, null, "sessions");
        AssertSuccess(text);
        var sessions = await SessionsAsync(_laptop);

        Assert.Equal(2, sessions.Length);
        var laptop = Assert.Single(sessions, s => s.GetProperty("device").GetString() == "laptop");
        var phone = Assert.Single(sessions, s => s.GetProperty("device").GetString() == "phone");
        Assert.True(laptop.GetProperty("current").GetBoolean());
        Assert.False(phone.GetProperty("current").GetBoolean());
        Assert.Equal("127.0.0.1", phone.GetProperty("address").GetString());
        Assert.Matches("^[0-9a-f]{8}$", phone.GetProperty("id").GetString());
        Assert.Matches($@"(?m)^\* {laptop.GetProperty("id").GetString()}  laptop +127\.0\.0\.1  \d{{4}}-\d\d-\d\d \d\d:\d\d  connected$", text.Stdout);
        Assert.Matches($@"(?m)^  {phone.GetProperty("id").GetString()}  phone +127\.0\.0\.1  \d{{4}}-\d\d-\d\d \d\d:\d\d  \d{{4}}-\d\d-\d\d \d\d:\d\d$", text.Stdout);
    }

    [Fact]
    public async Task A_revoked_device_is_told_its_session_expired()
    {
        string number = await LoggedInTwiceAsync("bob");
        string phone = Assert.Single(await SessionsAsync(_laptop), s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;

        var revoke = await Oc(_laptop, null, "sessions", "revoke", phone);

        AssertSuccess(revoke);
        Assert.Equal($"Session {phone} revoked.\n", revoke.Stdout);
        await AssertSessionExpiredAsync(_phone, number);
        AssertSuccess(await Oc(_laptop, null, "whoami"));
        AssertFailure(await Oc(_laptop, null, "sessions", "revoke", phone), 1, $"you have no session {phone} (oc sessions lists them)");
    }

    [Fact]
    public async Task A_running_listen_stops_when_its_session_is_revoked()
    {
        await LoggedInTwiceAsync("carol");
        string phone = Assert.Single(await SessionsAsync(_laptop), s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;
        await using var listen = RunningOc.Start(_phone.Path, "listen");
        await listen.StderrLineAsync(line => line.StartsWith("oc: listening as ", StringComparison.Ordinal));

        AssertSuccess(await Oc(_laptop, null, "sessions", "revoke", phone));

        var (line, _) = await listen.StderrLineAsync(l => l.Contains("ended this session", StringComparison.Ordinal));
        Assert.Equal("oc: the appliance ended this session: this session was revoked; log in again", line);
        Assert.Equal(1, (await listen.WaitForExitAsync()).ExitCode);
    }

    [Fact]
    public async Task Logout_all_ends_the_session_on_every_device()
    {
        string number = await LoggedInTwiceAsync("dave");

        var logout = await Oc(_laptop, null, "logout", "--all");

        AssertSuccess(logout);
        Assert.Equal($"Logged out everywhere (OC number {number} on {appliance.Server}).\n", logout.Stdout);
        await AssertSessionExpiredAsync(_phone, number);
        AssertFailure(await Oc(_laptop, null, "whoami"), 1, "not logged in; run oc login NUMBER");
    }

    [Fact]
    public async Task Passwd_ends_the_other_devices_and_keeps_this_one_logged_in()
    {
        string number = await LoggedInTwiceAsync("erin");

        var passwd = await Oc(_laptop, $"{Password}\nnew secret words\n", "passwd", "--password-stdin");

        AssertSuccess(passwd);
        Assert.Equal($"Password changed for OC number {number} on {appliance.Server}; every other session has ended.\n", passwd.Stdout);
        await AssertSessionExpiredAsync(_phone, number);
        AssertSuccess(await Oc(_laptop, null, "whoami"));
        AssertFailure(await Oc(_phone, Password + "\n", "login", number, "--password-stdin"), 1, "wrong password");
        AssertSuccess(await Oc(_phone, "new secret words\n", "login", number, "--password-stdin"));
    }

    [Fact]
    public async Task Passwd_with_a_wrong_current_password_changes_nothing()
    {
        string number = await LoggedInTwiceAsync("frank");

        AssertFailure(await Oc(_laptop, "not it\nnew secret words\n", "passwd", "--password-stdin"), 1, "the current password is wrong");
        AssertFailure(await Oc(_laptop, $"{Password}\n{Password}\n", "passwd", "--password-stdin"), 2, "the new password is the same as the current one");
        AssertFailure(await Oc(_laptop, $"{Password}\n", "passwd", "--password-stdin"), 2, "--password-stdin: stdin needs a second line, the new password");

        AssertSuccess(await Oc(_phone, null, "whoami"));
        AssertSuccess(await Oc(_phone, Password + "\n", "login", number, "--password-stdin"));
    }

    [Fact]
    public async Task Bad_session_ids_and_device_names_are_usage_errors()
    {
        var revoke = await Oc(_laptop, null, "sessions", "revoke", "not-hex");
        Assert.Equal(2, revoke.ExitCode);
        Assert.StartsWith("oc: 'not-hex' is not a session id", revoke.Stderr, StringComparison.Ordinal);

        var login = await Oc(_laptop, "pw\n", "--server", appliance.Server, "login", "123456", "--device", "a\u0007b", "--password-stdin");
        Assert.Equal(2, login.ExitCode);
        Assert.StartsWith("oc: --device: the device name contains a control character, U+0007", login.Stderr, StringComparison.Ordinal);
    }
}
