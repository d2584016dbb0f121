using OC.Appliance.Diagnostics;
using OC.Appliance.Net;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// The thread that owns the message log ("oc-messages"): it takes every queued job, runs them in
/// order (appends are staged), writes and fsyncs the group once, then hands the jobs back to the
/// loop and wakes it. The log, not LiteDB, so chat traffic never waits behind account work and
/// vice versa.
/// </summary>
internal sealed partial class MessageWorker : GroupWorker<MessageLog>
{
    /// <summary>Bounds one group so the first message of a long queue is not kept waiting.</summary>
    internal const int MaxGroupSize = 8192;

    private readonly MessageLog _log;
    private readonly string _dataDirectory;
    private readonly DiskSpaceGuard _disk;
    private long _groups;
    private long _messages;
    private long _roomMessages;
    private long _everStored;
    private long _roomEverStored;

    /// <param name="time">The clock that stamps each group's messages (the system's by default).</param>
    /// <param name="retention">--retention: messages older than this are dropped (null: kept for ever).</param>
    public MessageWorker(string dataDirectory, Action wakeLoop, TimeProvider? time = null, TimeSpan? retention = null)
        : base("message worker", MaxGroupSize, wakeLoop, time)
    {
        _dataDirectory = Path.GetFullPath(dataDirectory);
        _disk = new DiskSpaceGuard(_dataDirectory, DiskSpaceGuard.DefaultMinFreeBytes);
        _log = new MessageLog(_dataDirectory);
        _messages = _log.Count;
        _roomMessages = _log.RoomTextsKept;
        _everStored = (long)_log.LastSeq;
        _roomEverStored = _log.Rooms.TextEntries;
        InitRetention(retention);
        Start("oc-messages");
    }

    public bool FlushToDisk { get; init; } = true;

    /// <summary>A group that writes is refused below this much free space (<see cref="DiskSpaceGuard"/>).</summary>
    public long MinFreeBytes
    {
        get => _disk.MinFreeBytes;
        init => _disk.MinFreeBytes = value;
    }

    /// <summary>Messages stored (thread-safe read).</summary>
    public long MessagesStored => Interlocked.Read(ref _messages);

    public long GroupsCommitted => Interlocked.Read(ref _groups);

    /// <summary>Members' messages stored in rooms (thread-safe read).</summary>
    public long RoomMessagesStored => Interlocked.Read(ref _roomMessages);

    /// <summary>Messages ever stored, expired ones included: the last seq (thread-safe; never falls, for counters).</summary>
    public long MessagesEverStored => Interlocked.Read(ref _everStored);

    /// <summary>Members' messages ever stored in rooms, expired ones included (thread-safe; never falls).</summary>
    public long RoomMessagesEverStored => Interlocked.Read(ref _roomEverStored);

    /// <summary>After this long without jobs, the index is checkpointed (an open then replays nothing).</summary>
    internal const int CheckpointWhenIdleMs = 30_000;

    protected override int IdleWaitMs => RetentionWaitMs(_log.HasUncheckpointed ? CheckpointWhenIdleMs : Timeout.Infinite);

    protected override void RunIdle(List<WorkerJob<MessageLog>> finished)
    {
        if (RetentionDue && !_log.HasStaged) ExpireStep(); // and the checkpoint at the next idle wait
        else
        {
            _log.Checkpoint();
            ReleaseIdleMemory();
        }
    }

    /// <summary>
    /// After a burst and 30 s without a message (once per burst: the checkpoint above is what the
    /// idle wait was for), the resend windows go: up to ~72 MiB for 2,048 busy senders, held for
    /// nobody once they stopped; a sender's next message reads theirs back from the index. When
    /// that was much, one compacting collection gives it back to the system now (a few ms of pause
    /// on an idle appliance) rather than at some later gen-2 collection.
    /// </summary>
    private void ReleaseIdleMemory()
    {
        long ids = _log.ForgetResendWindows();
        if (ids * RecentIds.BytesPerId < ReleaseCollectAfterBytes) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Log.Info("messages.idle_release", $"{ids:#,0} resend ids of idle senders dropped, memory given back");
    }

    private const long ReleaseCollectAfterBytes = 8L * 1024 * 1024;

    protected override void OnStopped()
    {
        _log.Checkpoint();
        _log.Dispose();
        Log.Info("messages.close", $"{_log.Count} messages");
    }

    protected override void RunGroup(List<WorkerJob<MessageLog>> group)
    {
        // One clock read per group, not per message: every message of a group is stored at once.
        _log.GroupTimeMs = Time.UnixMs();
        // A busy appliance is never idle: a due retention step runs before a group too (nothing is staged).
        if (RetentionDue && !_log.HasStaged) ExpireStep();
        // A job's own failure (e.g. a read error) fails that job only; a failed write fails the group below.
        ExecuteEach(group, _log, failureEvent: null);
        if (!_log.HasStaged) return;

        try
        {
            if (!_disk.HasRoom(out string? full))
            {
                _log.Rollback();
                throw new DiskFullException(full!);
            }
            long before = _log.Count;
            _log.Commit(FlushToDisk);
            Interlocked.Add(ref _messages, _log.Count - before);
            Interlocked.Exchange(ref _roomMessages, _log.RoomTextsKept);
            Interlocked.Exchange(ref _everStored, (long)_log.LastSeq);
            Interlocked.Exchange(ref _roomEverStored, _log.Rooms.TextEntries);
            Interlocked.Increment(ref _groups);
            if (_log.CheckpointDue) _log.Checkpoint();
        }
        catch (IOException e)
        {
            // Every job of the group may have seen a staged message (a SYNC after a SEND): all fail.
            Log.Error("messages.write_failed", $"{e.Message} ({group.Count} job(s) failed)");
            foreach (var job in group) job.Error ??= e;
        }
    }
}
