namespace OC.Bench.Load;

/// <summary>
/// A deadline per phase of a bench run (start the appliance, set up, traffic, stop), generous
/// enough that only a hang misses it. A missed deadline calls <c>onHang</c> once with a line that
/// names the phase; the bench's handler kills the appliance, deletes its data folders and exits
/// (<see cref="BenchCleanup"/>). Issue 13: `chat` hung after printing its result and left its
/// data folder behind; now every run ends by itself.
/// </summary>
/// <remarks>Thread-safe. Time comes from <see cref="TimeProvider"/> so tests drive it with a fake clock.</remarks>
internal sealed class PhaseWatchdog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action<string> _onHang;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private string? _phase;
    private TimeSpan _limit;
    private long _deadline;
    private bool _fired;

    public PhaseWatchdog(TimeProvider time, Action<string> onHang)
    {
        _time = time;
        _onHang = onHang;
        _timer = time.CreateTimer(static state => ((PhaseWatchdog)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether a deadline was missed (then no later phase is watched).</summary>
    public bool Fired
    {
        get { lock (_lock) return _fired; }
    }

    /// <summary>The phase being watched, or null.</summary>
    public string? Current
    {
        get { lock (_lock) return _phase; }
    }

    /// <summary>Starts watching <paramref name="phase"/>; it must end (dispose the result) within <paramref name="limit"/>.</summary>
    public Scope Begin(string phase, TimeSpan limit)
    {
        lock (_lock)
        {
            if (_fired) return new Scope(this, 0);
            _phase = phase;
            _limit = limit;
            _deadline = _time.GetTimestamp() + (long)(limit.TotalSeconds * _time.TimestampFrequency);
            _timer.Change(limit, Timeout.InfiniteTimeSpan);
            return new Scope(this, _deadline);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void End(long deadline)
    {
        lock (_lock)
        {
            // A nested or later phase took over: only the phase that began this scope ends here.
            if (_deadline != deadline || _phase is null) return;
            _phase = null;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        string message;
        lock (_lock)
        {
            if (_phase is null || _fired) return;
            long left = _deadline - _time.GetTimestamp();
            if (left > 0)
            {
                // A timer may fire early by a tick of its clock: wait out the rest.
                _timer.Change(TimeSpan.FromSeconds(left / (double)_time.TimestampFrequency), Timeout.InfiniteTimeSpan);
                return;
            }
            _fired = true;
            message = $"oc-bench: the phase \"{_phase}\" did not end within {_limit.TotalSeconds:0.###} s: a hang; killing the appliance and cleaning up";
            _phase = null;
        }
        _onHang(message);
    }

    /// <summary>Ends its phase when disposed.</summary>
    public readonly struct Scope(PhaseWatchdog? owner, long deadline) : IDisposable
    {
        public void Dispose() => owner?.End(deadline);
    }
}
