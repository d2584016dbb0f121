namespace OC.Appliance.Storage;

/// <summary>
/// The queue between the event loop and a worker thread that runs jobs in groups (group commit):
/// <see cref="Post"/> from the loop, <see cref="TakeGroup"/> on the worker, which sleeps while
/// there is nothing to do. Shared by the storage worker and the message worker.
/// </summary>
/// <remarks>
/// _pending, _stopping and _nudged are guarded by _lock. _available is reset only under _lock while the
/// queue is empty, and set after an enqueue made it non-empty, so a wake-up is never lost (a set
/// that comes after the worker already took the job only costs it one look at an empty queue).
/// The set is outside the lock: the woken worker's first step is to take that lock, which the loop
/// would otherwise still hold (issue 13: one more sleep and wake-up per group under contention).
/// </remarks>
internal sealed class WorkQueue<T>(string name) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _pending = new();
    private readonly ManualResetEventSlim _available = new(initialState: false, spinCount: 0);
    private bool _stopping;
    private bool _nudged;

    /// <summary>Queues a job. Thread-safe. Throws once <see cref="Stop"/> was called.</summary>
    public void Post(T job)
    {
        if (!TryPost(job)) throw new InvalidOperationException($"The {name} is stopping and accepts no more jobs.");
    }

    /// <summary>Queues a job; false (and nothing queued) once <see cref="Stop"/> was called. Thread-safe.</summary>
    public bool TryPost(T job)
    {
        bool first;
        lock (_lock)
        {
            if (_stopping) return false;
            _pending.Enqueue(job);
            // Only the empty-to-non-empty transition needs a signal: a busy worker looks at the
            // queue again before it waits.
            first = _pending.Count == 1;
        }
        if (first) _available.Set();
        return true;
    }

    /// <summary>
    /// Worker side: waits up to <paramref name="timeoutMs"/> (-1: no limit) for work and moves up
    /// to <paramref name="max"/> jobs into <paramref name="group"/>.
    /// </summary>
    public Taken TakeGroup(List<T> group, int max, int timeoutMs = Timeout.Infinite)
    {
        while (true)
        {
            lock (_lock)
            {
                while (group.Count < max && _pending.TryDequeue(out var job)) group.Add(job);
                if (group.Count > 0) return Taken.Group;
                if (_stopping) return Taken.Stopped;
                if (_nudged)
                {
                    _nudged = false;
                    return Taken.Idle;
                }
                _available.Reset();
            }
            if (!_available.Wait(timeoutMs)) return Taken.Idle;
        }
    }

    /// <summary>
    /// Thread-safe: the next <see cref="TakeGroup"/> without jobs returns <see cref="Taken.Idle"/>
    /// at once (or the waiting one does). For a worker whose clock is not the system's: that
    /// clock's timer ends the idle wait, as the timeout does for the system clock. A late nudge
    /// costs one idle pass, which looks at the clock again.
    /// </summary>
    public void Nudge()
    {
        lock (_lock)
        {
            // After Stop the worker is ending, and the event may be disposed soon.
            if (_stopping) return;
            _nudged = true;
            _available.Set();
        }
    }

    /// <summary>Whether no job waits (the worker has caught up). Thread-safe; a hint, as a post may follow at once.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_lock) return _pending.Count == 0;
        }
    }

    /// <summary>No more posts; the worker finishes what is queued, then <see cref="TakeGroup"/> returns false.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopping = true;
            _available.Set();
        }
    }

    public void Dispose() => _available.Dispose();
}

internal enum Taken
{
    /// <summary>The group holds jobs.</summary>
    Group,
    /// <summary>Nothing came within the timeout (or a nudge ended the wait).</summary>
    Idle,
    /// <summary>Stopped and nothing is left: the worker ends.</summary>
    Stopped,
}

/// <summary>
/// Finished jobs on their way from a worker back to the loop, in order. Both sides hold the lock
/// for O(1) work or one list copy: the loop takes everything at once by swapping lists, instead of
/// one lock per job (a worker preempted while holding it would stall the loop for that long).
/// </summary>
internal sealed class CompletedQueue<T>
{
    private readonly Lock _lock = new();
    private List<T> _completed = [];

    public void AddRange(List<T> jobs)
    {
        lock (_lock) _completed.AddRange(jobs);
    }

    /// <summary>Swaps <paramref name="batch"/> (empty) for the queued jobs, oldest first.</summary>
    public void TakeAll(ref List<T> batch)
    {
        lock (_lock) (batch, _completed) = (_completed, batch);
    }

    /// <summary>Puts jobs that were taken but not completed back in front of any that came since.</summary>
    public void ReturnUnfinished(List<T> batch, int from)
    {
        if (from >= batch.Count) return;
        lock (_lock) _completed.InsertRange(0, batch.GetRange(from, batch.Count - from));
    }
}
