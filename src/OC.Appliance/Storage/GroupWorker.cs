using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage;

/// <summary>
/// A thread that owns one store and runs the loop's jobs in groups: it takes everything queued (up
/// to a bound), lets the store run the group (one write and one flush for all of it), then hands
/// the jobs back to the loop in order and wakes it. Every disk worker is one: accounts in LiteDB
/// (<see cref="StorageWorker"/>), the message log, the file store.
/// </summary>
/// <remarks>
/// The contract: when <see cref="RunGroup"/> returns, a job whose <see cref="WorkerJob{TStore}.Error"/>
/// is null is durable; the base then calls its <see cref="WorkerJob{TStore}.OnDurable"/> (counters)
/// before the loop sees it. <see cref="Post"/> and <see cref="DrainCompleted"/> are for the loop.
/// </remarks>
internal abstract class GroupWorker<TStore> : IDisposable
{
    private readonly WorkQueue<WorkerJob<TStore>> _pending;
    private readonly CompletedQueue<WorkerJob<TStore>> _completed = new();
    private List<WorkerJob<TStore>>? _drainBatch = [];
    private readonly Action _wakeLoop;
    private readonly int _maxGroupSize;
    private readonly string _name;
    private readonly ITimer? _idleTimer;
    private Thread? _thread;
    private long _jobsCompleted;
    private long _jobsFailed;

    protected GroupWorker(string name, int maxGroupSize, Action wakeLoop, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(wakeLoop);
        _name = name;
        _pending = new WorkQueue<WorkerJob<TStore>>(name);
        _maxGroupSize = maxGroupSize;
        _wakeLoop = wakeLoop;
        Time = time ?? TimeProvider.System;
        // The system clock's idle wait is the queue's own timeout. Another clock (a fake one in
        // tests) keeps a time of its own, which a real timeout cannot follow: a timer of that
        // clock ends the wait instead (IdleWait).
        if (Time != TimeProvider.System)
            _idleTimer = Time.CreateTimer(static queue => ((WorkQueue<WorkerJob<TStore>>)queue!).Nudge(), _pending, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The worker's clock: its idle wait, and the time its jobs record.</summary>
    protected TimeProvider Time { get; }

    /// <summary>Jobs handed back to the loop, failed ones included (any thread).</summary>
    internal long JobsCompleted => Interlocked.Read(ref _jobsCompleted);

    internal long JobsFailed => Interlocked.Read(ref _jobsFailed);

    /// <summary>
    /// Queues a job (loop thread). Once <see cref="Dispose"/> has begun the job is not run: it
    /// completes at the next drain as failed (<see cref="WorkerStoppedException"/>), like a job
    /// whose group failed. Completions drained during the shutdown post follow-up work (a room's
    /// entry after a committed change, say): that must fail that work, not the loop.
    /// </summary>
    public void Post(WorkerJob<TStore> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!_pending.TryPost(job))
        {
            job.Error = new WorkerStoppedException($"the {_name} has stopped");
            _completed.AddRange([job]);
        }
        // After the queue took it: a refused post counts nothing in flight. The job cannot
        // complete before this returns, as only the loop drains completions.
        job.OnPosted();
    }

    /// <summary>On the loop: completes finished jobs in the order they finished; returns how many.</summary>
    public int DrainCompleted()
    {
        // Loop thread only; a completion that drains again (re-entrant) gets a list of its own.
        var batch = _drainBatch ?? [];
        _drainBatch = null;
        _completed.TakeAll(ref batch);
        int done = 0;
        try
        {
            while (done < batch.Count) batch[done++].Complete();
            return done;
        }
        finally
        {
            // A completion that threw leaves the jobs after it queued, as before, for the next drain.
            _completed.ReturnUnfinished(batch, done);
            batch.Clear();
            _drainBatch = batch;
        }
    }

    /// <summary>Finishes every posted job (their completions stay queued for a last drain), then stops the thread.</summary>
    public void Dispose()
    {
        if (Thread.CurrentThread == _thread) throw new InvalidOperationException($"A job cannot dispose the {_name} that runs it.");
        _pending.Stop();
        _thread?.Join();
        _idleTimer?.Dispose();
        if (_thread is not null)
        {
            _thread = null;
            _pending.Dispose();
            OnDisposed();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Called by the derived constructor once its store is open.</summary>
    protected void Start(string threadName)
    {
        _thread = new Thread(Run) { Name = threadName, IsBackground = false };
        _thread.Start();
    }

    /// <summary>Whether jobs wait behind the group being run (for a group commit that waits until the worker caught up).</summary>
    protected bool HasQueuedJobs => !_pending.IsEmpty;

    /// <summary>On the worker: runs the group and makes it durable; a job's failure goes to its Error.</summary>
    protected abstract void RunGroup(List<WorkerJob<TStore>> group);

    /// <summary>On the worker, after the last group: close the store.</summary>
    protected abstract void OnStopped();

    /// <summary>
    /// Runs each job of the group against the store, in order; one job's failure (a full disk, a
    /// bad read, a bug) fails that job, not the group or the thread. For stores without
    /// transactions (LiteDB's worker runs its group in one).
    /// </summary>
    protected static void ExecuteEach(List<WorkerJob<TStore>> group, TStore store, string? failureEvent)
    {
        foreach (var job in group)
        {
            try
            {
                job.Execute(store);
            }
            catch (Exception e)
            {
                if (failureEvent is not null) Log.Error(failureEvent, $"{job.GetType().Name}: {e.GetType().Name}: {e.Message}");
                job.Error = e;
            }
        }
    }

    /// <summary>On the disposing thread, after the worker ended.</summary>
    protected virtual void OnDisposed() { }

    /// <summary>How long the worker may sleep without jobs before <see cref="RunIdle"/>, in milliseconds of <see cref="Time"/> (infinite by default; 0: run it now).</summary>
    protected virtual int IdleWaitMs => Timeout.Infinite;

    /// <summary>Nothing came for <see cref="IdleWaitMs"/>: deferred work; jobs added to <paramref name="finished"/> go back to the loop.</summary>
    protected virtual void RunIdle(List<WorkerJob<TStore>> finished) { }

    private void Run()
    {
        var group = new List<WorkerJob<TStore>>();
        while (true)
        {
            var taken = _pending.TakeGroup(group, _maxGroupSize, IdleWait());
            if (taken == Taken.Stopped) break;
            if (taken == Taken.Group)
            {
                foreach (var job in group) job.Error = null; // a job posted again after a failure starts clean
                RunGroup(group);
            }
            else
            {
                RunIdle(group);
            }
            if (group.Count == 0) continue;
            Finish(group);
            group.Clear();
        }
        OnStopped();
    }

    /// <summary>The real time to wait for jobs: <see cref="IdleWaitMs"/>, or with another clock than the system's, until its timer nudges the queue.</summary>
    private int IdleWait()
    {
        if (_idleTimer is null) return IdleWaitMs;
        int ms;
        do
        {
            ms = IdleWaitMs;
            if (ms <= 0) return ms;
            _idleTimer.Change(TimeSpan.FromMilliseconds(ms), Timeout.InfiniteTimeSpan);
            // The clock may have moved between the reading and the arming (a test advances it
            // from its own thread), and the timer then fires late: read it again.
        } while (IdleWaitMs < ms);
        return Timeout.Infinite;
    }

    private void Finish(List<WorkerJob<TStore>> group)
    {
        int failed = 0;
        foreach (var job in group)
        {
            if (job.Error is not null) failed++;
            else job.OnDurable();
        }
        Interlocked.Add(ref _jobsCompleted, group.Count);
        Interlocked.Add(ref _jobsFailed, failed);
        _completed.AddRange(group);
        try
        {
            _wakeLoop();
        }
        catch (Exception ex)
        {
            // The jobs are queued either way; a later wake-up or the final drain delivers them.
            Log.Error("worker.wake", $"{_name}: waking the loop threw {ex.GetType().Name}: {ex.Message}");
        }
    }
}

/// <summary>A job posted after its worker stopped (the appliance is shutting down): it was not run.</summary>
internal sealed class WorkerStoppedException(string message) : IOException(message);
