using Microsoft.Extensions.Time.Testing;
using OC.Bench.Load;

namespace OC.Tests.Bench;

/// <summary>
/// The bench's guard against hangs (issue 13: `chat` hung after printing its result and left its
/// data folder behind). The bench's sources are compiled into this project (see the csproj): they
/// need no sockets for this.
/// </summary>
public sealed class PhaseWatchdogTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _hangs = [];
    private readonly PhaseWatchdog _watchdog;

    public PhaseWatchdogTests() => _watchdog = new PhaseWatchdog(_time, _hangs.Add);

    public void Dispose() => _watchdog.Dispose();

    [Fact]
    public void A_phase_that_outlives_its_deadline_is_reported_once_by_name()
    {
        using var traffic = _watchdog.Begin("chat traffic", TimeSpan.FromSeconds(70));
        _time.Advance(TimeSpan.FromSeconds(69));
        Assert.Empty(_hangs);

        _time.Advance(TimeSpan.FromSeconds(2));
        var hang = Assert.Single(_hangs);
        Assert.Contains("\"chat traffic\"", hang, StringComparison.Ordinal);
        Assert.Contains("70 s", hang, StringComparison.Ordinal);
        Assert.True(_watchdog.Fired);

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Single(_hangs);
    }

    [Fact]
    public void A_phase_that_ends_in_time_is_never_reported()
    {
        using (_watchdog.Begin("start the appliance", TimeSpan.FromSeconds(90)))
            _time.Advance(TimeSpan.FromSeconds(89));
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Empty(_hangs);
        Assert.False(_watchdog.Fired);
        Assert.Null(_watchdog.Current);
    }

    [Fact]
    public void Each_phase_has_its_own_deadline()
    {
        using (_watchdog.Begin("set up 1 pairs", TimeSpan.FromSeconds(60)))
            _time.Advance(TimeSpan.FromSeconds(50));
        using var stop = _watchdog.Begin("stop the appliance", TimeSpan.FromSeconds(120));
        // 50 + 100 s is past the first phase's deadline but within the second's.
        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.Empty(_hangs);
        Assert.Equal("stop the appliance", _watchdog.Current);

        _time.Advance(TimeSpan.FromSeconds(21));
        Assert.Contains("\"stop the appliance\"", Assert.Single(_hangs), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missed_deadline_cleans_up_the_run_folders_the_bench_tracked()
    {
        // What the bench's hang handler does (LoadRunner.OnHang), less the exit: a data folder
        // made for a run that never ended is gone after the clean-up.
        var folder = Path.Combine(Path.GetTempPath(), $"oc-bench-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(folder, "files"));
        File.WriteAllText(Path.Combine(folder, "messages.log"), "stored");
        BenchCleanup.TrackFolder(folder);
        using var watchdog = new PhaseWatchdog(_time, _ => BenchCleanup.KillAndCleanUp());

        using var traffic = watchdog.Begin("chat traffic", TimeSpan.FromSeconds(5));
        Assert.True(Directory.Exists(folder));
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.True(watchdog.Fired);
        Assert.False(Directory.Exists(folder));
    }
}
