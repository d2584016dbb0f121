using System.Diagnostics;
using OC.Tests.Integration;

namespace OC.Tests.EndToEnd;

/// <summary>
/// <c>oc-appliance --retention</c> as a process: a value that is not a time from an hour to a
/// hundred years is a usage error (one line, exit code 2) that opens nothing, and --help lists it.
/// </summary>
public sealed class RetentionFlagTests : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private readonly string _data = TempDirectory.Create("oc-retention-flag");

    public void Dispose() => TempDirectory.Delete(_data);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = ApplianceProcess.Command(args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("oc-appliance did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
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
        return (process.ExitCode, (await stdout).ReplaceLineEndings("\n"), (await stderr).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("0d")]
    [InlineData("30m")]
    [InlineData("1y")]
    [InlineData("365")]
    [InlineData("-1d")]
    [InlineData("36501d")]
    [InlineData("99999999999d")]
    [InlineData("")]
    public async Task A_retention_that_is_not_a_time_from_an_hour_to_a_hundred_years_is_a_one_line_usage_error(string value)
    {
        var run = await RunAsync("--retention", value, "--data", _data, "--port", "0", "--no-http", "--no-mdns");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"oc-appliance: --retention: '{value}' is not a time from 1h to 36500d such as 365d (see oc-appliance --help)\n", run.Stderr);
        Assert.False(File.Exists(Path.Combine(_data, "oc.db")), "a usage error opened the data folder");
    }

    [Fact]
    public async Task Help_lists_the_retention()
    {
        var run = await RunAsync("--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--retention <TIME>", run.Stdout, StringComparison.Ordinal);
    }
}
