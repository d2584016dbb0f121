using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// The thread that owns the message log ("oc-messages"): it takes every queued job, runs them in
/// order (appends are staged), writes and fsyncs the group once, then hands the jobs back to the
/// loop and wakes it. Same contract as <see cref="StorageWorker"/>, for a different store: the
/// log, not LiteDB, so chat traffic never waits behind account work and vice versa.
/// </summary>
internal sealed class MessageWorker : IDisposable
{
    /// <summary>Bounds one group so the first message of a long queue is not kept waiting.</summary>
    internal const int MaxGroupSize = 8192;

    private readonly MessageLog _log;
    private readonly Action _wakeLoop;
    private readonly Thread _thread;
    private readonly Lock _lock = new();
    private readonly Queue<MessageJob> _pending = new();
    private readonly ManualResetEventSlim _workAvailable = new(false, spinCount: 0);
    private readonly Lock _completedLock = new();
    private readonly Queue<MessageJob> _completed = new();
    private readonly string _dataDirectory;
    private bool _stopping;
    private long _groups;
    private long _messages;

    public MessageWorker(string dataDirectory, Action wakeLoop)
    {
        _dataDirectory = Path.GetFullPath(dataDirectory);
        _log = new MessageLog(_dataDirectory);
        _wakeLoop = wakeLoop;
        _messages = _log.Count;
        _thread = new Thread(Run) { Name = "oc-messages", IsBackground = false };
        _thread.Start();
    }

    public bool FlushToDisk { get; init; } = true;

    /// <summary>As <see cref="StorageWorker.MinFreeBytes"/>: a group that writes is refused below this much free space.</summary>
    public long MinFreeBytes { get; init; } = StorageWorker.DefaultMinFreeBytes;

    /// <summary>Messages stored (thread-safe read).</summary>
    public long MessagesStored => Interlocked.Read(ref _messages);

    public long GroupsCommitted => Interlocked.Read(ref _groups);

    public void Post(MessageJob job)
    {
        lock (_lock)
        {
            if (_stopping) throw new InvalidOperationException("The message worker is stopping.");
            _pending.Enqueue(job);
            if (_pending.Count == 1) _workAvailable.Set();
        }
    }

    /// <summary>On the loop: completes finished jobs in order.</summary>
    public int DrainCompleted()
    {
        int count = 0;
        while (true)
        {
            MessageJob? job;
            lock (_completedLock)
            {
                if (!_completed.TryDequeue(out job)) return count;
            }
            count++;
            job.Complete();
        }
    }

    /// <summary>Finishes every posted job (their completions stay queued for a last drain), then closes the log.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            _workAvailable.Set();
        }
        _thread.Join();
        _workAvailable.Dispose();
    }

    private void Run()
    {
        var group = new List<MessageJob>();
        while (true)
        {
            lock (_lock)
            {
                while (group.Count < MaxGroupSize && _pending.TryDequeue(out var job)) group.Add(job);
                if (group.Count == 0)
                {
                    if (_stopping) break;
                    _workAvailable.Reset();
                }
            }
            if (group.Count == 0)
            {
                _workAvailable.Wait();
                continue;
            }
            RunGroup(group);
            lock (_completedLock)
            {
                foreach (var job in group) _completed.Enqueue(job);
            }
            group.Clear();
            _wakeLoop();
        }
        _log.Dispose();
        Log.Info("messages.close", $"{_log.Count} messages");
    }

    private void RunGroup(List<MessageJob> group)
    {
        foreach (var job in group)
        {
            try
            {
                job.Execute(_log);
            }
            catch (Exception e)
            {
                // A job's own failure (e.g. a read error) fails that job only.
                job.Error = e;
            }
        }
        if (!_log.HasStaged) return;

        try
        {
            long free = new DriveInfo(_dataDirectory).AvailableFreeSpace;
            if (free < MinFreeBytes)
            {
                _log.Rollback();
                throw new DiskFullException($"No space left on device: {free / 1024} KiB free in {_dataDirectory}, {MinFreeBytes / 1024} KiB needed");
            }
            long before = _log.Count;
            _log.Commit(FlushToDisk);
            Interlocked.Add(ref _messages, _log.Count - before);
            Interlocked.Increment(ref _groups);
        }
        catch (IOException e)
        {
            // Every job of the group may have seen a staged message (a SYNC after a SEND): all fail.
            Log.Error("messages.write_failed", $"{e.Message} ({group.Count} job(s) failed)");
            foreach (var job in group) job.Error ??= e;
        }
    }
}
