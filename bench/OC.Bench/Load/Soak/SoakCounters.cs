namespace OC.Bench.Load.Soak;

/// <summary>
/// What the soak's load components did, counted from their own tasks (Interlocked) and read by
/// the sampler every period: totals since the start, turned into per-interval figures by
/// subtracting the previous sample.
/// </summary>
internal sealed class SoakCounters
{
    private long _chatSent, _chatDelivered, _chatErrors;
    private long _fileLoops, _fileErrors;
    private long _churned, _churnErrors, _churnSkipped;
    private long _garbage, _garbageClosedByAppliance;
    private long _attackers, _attackWaves;

    public long ChatSent => Interlocked.Read(ref _chatSent);
    public long ChatDelivered => Interlocked.Read(ref _chatDelivered);
    public long ChatErrors => Interlocked.Read(ref _chatErrors);
    public long FileLoops => Interlocked.Read(ref _fileLoops);
    public long FileErrors => Interlocked.Read(ref _fileErrors);
    public long Churned => Interlocked.Read(ref _churned);
    public long ChurnErrors => Interlocked.Read(ref _churnErrors);

    /// <summary>Churn ticks that found every churn slot still busy (the appliance or this process fell behind).</summary>
    public long ChurnSkipped => Interlocked.Read(ref _churnSkipped);
    public long Garbage => Interlocked.Read(ref _garbage);

    /// <summary>Garbage connections the appliance closed itself (the others were closed by the client after a few seconds).</summary>
    public long GarbageClosedByAppliance => Interlocked.Read(ref _garbageClosedByAppliance);
    public long Attackers => Interlocked.Read(ref _attackers);
    public long AttackWaves => Interlocked.Read(ref _attackWaves);

    private readonly List<(double From, double To)> _waves = [];
    private volatile bool _holding;

    /// <summary>Time since the load started: the x axis of the samples and of the attack waves.</summary>
    public System.Diagnostics.Stopwatch Clock { get; } = new();

    /// <summary>The attack waves so far, seconds from the load's start: first connect to last close.</summary>
    public IReadOnlyList<(double From, double To)> Waves
    {
        get { lock (_waves) return [.. _waves]; }
    }

    public void WaveDone(double from, double to)
    {
        lock (_waves) _waves.Add((from, to));
        Interlocked.Increment(ref _attackWaves);
    }

    /// <summary>An attack wave is holding its connections now.</summary>
    public bool Holding
    {
        get => _holding;
        set => _holding = value;
    }

    /// <summary>The last error of any component, for the report.</summary>
    public string? LastError { get; private set; }

    public void ChatSentOne() => Interlocked.Increment(ref _chatSent);
    public void ChatDeliveredOne() => Interlocked.Increment(ref _chatDelivered);
    public void FileLoopDone() => Interlocked.Increment(ref _fileLoops);
    public void ChurnedOne() => Interlocked.Increment(ref _churned);
    public void ChurnSkippedOne() => Interlocked.Increment(ref _churnSkipped);
    public void GarbageOne(bool closedByAppliance)
    {
        Interlocked.Increment(ref _garbage);
        if (closedByAppliance) Interlocked.Increment(ref _garbageClosedByAppliance);
    }
    public void AttackersAdded(int count) => Interlocked.Add(ref _attackers, count);

    public void ChatError(string error) => Error(ref _chatErrors, "chat: " + error);
    public void FileError(string error) => Error(ref _fileErrors, "files: " + error);
    public void ChurnError(string error) => Error(ref _churnErrors, "churn: " + error);

    private void Error(ref long counter, string error)
    {
        Interlocked.Increment(ref counter);
        LastError = error;
    }
}

/// <summary>
/// Chat latencies of the current sample interval, and of the whole run: added from the receivers'
/// tasks, taken by the sampler. A few hundred a second, so one lock is cheap enough.
/// </summary>
internal sealed class IntervalLatencies
{
    private readonly Lock _lock = new();
    private readonly LatencyLog _all = new();
    private LatencyLog _interval = new();

    public void Add(long ticks)
    {
        lock (_lock)
        {
            _interval.Add(ticks);
            _all.Add(ticks);
        }
    }

    /// <summary>The interval's percentiles and count; starts the next interval.</summary>
    public (Percentiles Latency, int Count) TakeInterval()
    {
        LatencyLog taken;
        lock (_lock)
        {
            taken = _interval;
            _interval = new LatencyLog();
        }
        return (LatencyLog.Merge([taken]), taken.Count);
    }

    public Percentiles Whole()
    {
        lock (_lock) return LatencyLog.Merge([_all]);
    }
}
