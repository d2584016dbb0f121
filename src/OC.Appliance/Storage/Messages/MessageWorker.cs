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
    private readonly WorkQueue<MessageJob> _pending = new("message worker");
    private readonly CompletedQueue<MessageJob> _completed = new();
    private readonly string _dataDirectory;
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

    public void Post(MessageJob job) => _pending.Post(job);

    /// <summary>On the loop: completes finished jobs in order.</summary>
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

    /// <summary>Finishes every posted job (their completions stay queued for a last drain), then closes the log.</summary>
    public void Dispose()
    {
        _pending.Stop();
        _thread.Join();
        _pending.Dispose();
    }

    private void Run()
    {
        var group = new List<MessageJob>();
        while (_pending.TakeGroup(group, MaxGroupSize) == Taken.Group)
        {
            RunGroup(group);
            _completed.AddRange(group);
            group.Clear();
            _wakeLoop();
        }
        _log.Dispose();
        Log.Info("messages.close", $"{_log.Count} messages");
    }

    private void RunGroup(List<MessageJob> group)
    {
        // One clock read per group, not per message: every message of a group is stored at once.
        _log.GroupTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
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
