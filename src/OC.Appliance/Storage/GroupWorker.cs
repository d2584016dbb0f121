namespace OC.Appliance.Storage;

/// <summary>Work for a <see cref="GroupWorker{TJob}"/>: run on its thread, then completed on the event loop.</summary>
internal abstract class WorkerJob
{
    /// <summary>Set when the job failed (on the worker); <see cref="Complete"/> turns it into an error for the client.</summary>
    internal Exception? Error { get; set; }

    /// <summary>On the event loop, after the worker finished the job's group.</summary>
    internal abstract void Complete();
}

/// <summary>
/// A thread that owns one store and runs the loop's jobs in groups: it takes everything queued
/// (up to a bound), lets the store handle the group (one write and one fsync for all of it, where
/// the store writes), then hands the jobs back to the loop in order and wakes it. The message log
/// and the file store run on one each; LiteDB's worker has its own loop (see StorageWorker).
/// </summary>
internal abstract class GroupWorker<TJob> : IDisposable where TJob : WorkerJob
{
    private readonly WorkQueue<TJob> _pending;
    private readonly CompletedQueue<TJob> _completed = new();
    private readonly Action _wakeLoop;
    private readonly int _maxGroupSize;
    private Thread? _thread;

    protected GroupWorker(string name, int maxGroupSize, Action wakeLoop)
    {
        _pending = new WorkQueue<TJob>(name);
        _maxGroupSize = maxGroupSize;
        _wakeLoop = wakeLoop;
    }

    /// <summary>Thread-safe. Throws once <see cref="Dispose"/> has begun.</summary>
    public void Post(TJob job) => _pending.Post(job);

    /// <summary>On the loop: completes finished jobs in the order they were posted; returns how many.</summary>
    public int DrainCompleted()
    {
        int count = 0;
        while (_completed.TryTake(out var job))
        {
            count++;
            job.Complete();
        }
        return count;
    }

    /// <summary>Finishes every posted job (their completions stay queued for a last drain), then stops the thread.</summary>
    public void Dispose()
    {
        _pending.Stop();
        _thread?.Join();
        _pending.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Called by the derived constructor once its store is open.</summary>
    protected void Start(string threadName)
    {
        _thread = new Thread(Run) { Name = threadName, IsBackground = false };
        _thread.Start();
    }

    /// <summary>On the worker: runs the group; a job's failure goes to its <see cref="WorkerJob.Error"/>.</summary>
    /// <summary>Whether jobs wait behind the group being run (for a group commit that waits until the worker caught up).</summary>
    protected bool HasQueuedJobs => !_pending.IsEmpty;

    protected abstract void RunGroup(List<TJob> group);

    /// <summary>On the worker, after the last group: close the store.</summary>
    protected abstract void OnStopped();

    /// <summary>How long the worker may sleep without jobs before <see cref="RunIdle"/> (infinite by default).</summary>
    protected virtual int IdleWaitMs => Timeout.Infinite;

    /// <summary>Nothing came for <see cref="IdleWaitMs"/>: deferred work; jobs added to <paramref name="finished"/> go back to the loop.</summary>
    protected virtual void RunIdle(List<TJob> finished) { }

    private void Run()
    {
        var group = new List<TJob>();
        while (true)
        {
            var taken = _pending.TakeGroup(group, _maxGroupSize, IdleWaitMs);
            if (taken == Taken.Stopped) break;
            if (taken == Taken.Group) RunGroup(group);
            else RunIdle(group);
            if (group.Count == 0) continue;
            _completed.AddRange(group);
            group.Clear();
            _wakeLoop();
        }
        OnStopped();
    }
}
