using LiteDB;
using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage;

/// <summary>
/// The one thread that touches LiteDB. The event loop posts <see cref="StorageJob"/>s; the
/// worker takes everything queued (up to <see cref="MaxGroupSize"/>), runs it in one
/// transaction, commits once, fsyncs the log, and only then hands the jobs back and wakes the
/// loop (group commit: one fsync serves every job of the group, so each acknowledgement means
/// "on disk" without paying one fsync per message).
/// </summary>
/// <remarks>
/// Threads: <see cref="Post"/> from any thread; <see cref="DrainCompleted"/> and
/// <see cref="Dispose"/> from the loop thread (one consumer). The group logic, fault handling
/// and open/close are in StorageWorker.Group.cs.
/// </remarks>
internal sealed partial class StorageWorker : IDisposable
{
    /// <summary>Bounds a group so the first job of a long queue is not kept waiting for the last.</summary>
    internal const int MaxGroupSize = 4096;

    internal const string DataFileName = "oc.db";

    private readonly string _dataDirectory;
    private readonly string _dataPath;
    private readonly Action _wakeLoop;
    private readonly LogFileSync _logSync;
    private readonly Thread _thread;

    private readonly WorkQueue<StorageJob> _pending = new("storage worker");
    private readonly CompletedQueue<StorageJob> _completed = new();

    // Owned by the worker thread once it runs (the constructor opens it before the thread starts).
    // Null after a storage fault until the next group reopens it.
    private LiteDatabase? _db;

    // Instances closed after a storage fault, kept reachable on purpose: see RetireAfterFault.
    private readonly List<LiteDatabase> _retired = [];

    private long _groupsCommitted;
    private long _jobsCompleted;
    private long _jobsFailed;
    private long _faults;
    private int _disposed;

    // Set by a storage fault, cleared by the next group that commits writes (or, for a full
    // disk, once enough space is free again). Written on the storage thread, read anywhere.
    private volatile bool _faultUnresolved;
    private bool _faultIsDiskFull;

    // Free space of the data folder's file system, measured on the storage thread (statfs can
    // block on a sick disk; the loop must not), at most DiskFreeRefreshMs old while running.
    private const int DiskFreeRefreshMs = 5_000;
    private long _diskFreeBytes = -1;
    private long _diskFreeMeasuredMs; // storage thread only

    /// <summary>
    /// Creates <paramref name="dataDirectory"/> if needed, opens (or creates) oc.db in it, makes
    /// sure the appliance id exists, and starts the "oc-storage" thread. Blocks on disk: call
    /// it at startup, before the loop runs. Throws if the database cannot be opened.
    /// </summary>
    /// <param name="wakeLoop">Called on the worker thread once per finished group; it must be
    /// cheap and thread-safe (e.g. write to an eventfd) and stay usable until Dispose returns.</param>
    internal StorageWorker(string dataDirectory, Action wakeLoop)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(wakeLoop);

        _dataDirectory = Path.GetFullPath(dataDirectory);
        _dataPath = Path.Combine(_dataDirectory, DataFileName);
        _wakeLoop = wakeLoop;
        _logSync = new LogFileSync(_dataPath);

        if (!Directory.Exists(_dataDirectory))
        {
            Directory.CreateDirectory(_dataDirectory);
            // The new directory's own entry lives in its parent.
            if (Path.GetDirectoryName(_dataDirectory) is { } parent) DirectorySync.Flush(parent);
        }

        _db = OpenDatabase();
        try
        {
            // Created on first open and flushed here, so the id the appliance announces
            // (mDNS TXT, status page) is already on disk.
            ApplianceId = AccountStore.GetOrCreateApplianceId(_db);
            FriendStore.EnsureIndexes(_db);
            _logSync.Flush();
            RefreshDiskFree();
        }
        catch
        {
            CloseDatabase(checkpoint: false);
            throw;
        }

        _thread = new Thread(Run) { IsBackground = false, Name = "oc-storage" };
        _thread.Start();
    }

    /// <summary>
    /// False skips the fsync after each group (benchmarks only: a reply then no longer means
    /// "on disk"). Read by the worker for every group; the open-time flushes always happen.
    /// </summary>
    internal bool FlushToDisk { get; init; } = true;

    /// <summary>
    /// A group that writes is refused, before LiteDB sees it, while the data folder's file system
    /// has less than this free. LiteDB must never meet ENOSPC itself: it closes its engine and
    /// leaves a half-finished transaction whose finalizer asserts and kills the process at a
    /// later GC. The default covers a group plus an automatic checkpoint (the log is copied into
    /// the data file once it passes 1,000 pages of 8 KiB).
    /// </summary>
    internal long MinFreeBytes { get; init; } = DefaultMinFreeBytes;

    internal const long DefaultMinFreeBytes = 32L * 1024 * 1024;

    /// <summary>The random id of this appliance's database (meta collection), stable across restarts.</summary>
    internal string ApplianceId { get; }

    internal string DatabasePath => _dataPath;

    /// <summary>Groups that wrote, committed and (unless disabled) were flushed.</summary>
    internal long GroupsCommitted => Interlocked.Read(ref _groupsCommitted);

    /// <summary>Jobs handed back to the loop, failed ones included.</summary>
    internal long JobsCompleted => Interlocked.Read(ref _jobsCompleted);

    internal long JobsFailed => Interlocked.Read(ref _jobsFailed);

    /// <summary>Groups failed by a storage fault (full disk, I/O error), each followed by a reopen.</summary>
    internal long Faults => Interlocked.Read(ref _faults);

    /// <summary>True after a storage fault until a later group commits again (/healthz fails meanwhile).</summary>
    internal bool HasUnresolvedFault => _faultUnresolved;

    /// <summary>What the database holds: users, messages, files (see <see cref="StorageCounters"/>).</summary>
    internal StorageCounters Counters { get; } = new();

    /// <summary>Bytes free for this process in the data folder's file system, a few seconds old; -1 if unknown.</summary>
    internal long DiskFreeBytes => Interlocked.Read(ref _diskFreeBytes);

    /// <summary>Queues a job. Thread-safe. Throws once <see cref="Dispose"/> has begun.</summary>
    internal void Post(StorageJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        _pending.Post(job);
    }

    /// <summary>
    /// Calls <see cref="StorageJob.Complete"/> for up to <paramref name="max"/> finished jobs, in
    /// the order they finished, on the calling (loop) thread; returns how many. Call it after
    /// wakeLoop fired, and once more after <see cref="Dispose"/> for the last groups.
    /// </summary>
    internal int DrainCompleted(int max = int.MaxValue)
    {
        var count = 0;
        while (count < max && _completed.TryTake(out var job))
        {
            count++;
            job.Complete();
        }
        return count;
    }

    /// <summary>
    /// Stops accepting jobs, lets the worker finish every job already posted (each group still
    /// committed, flushed and followed by wakeLoop), then checkpoints and closes the database
    /// on the worker thread, and waits for that thread to end. Completed jobs stay queued:
    /// call <see cref="DrainCompleted"/> afterwards to deliver the last replies.
    /// </summary>
    public void Dispose()
    {
        if (Thread.CurrentThread == _thread)
            throw new InvalidOperationException("A storage job cannot dispose the worker that runs it.");

        _pending.Stop();
        _thread.Join();

        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _pending.Dispose();
            _logSync.Dispose();
        }
    }

    private void Run()
    {
        var group = new List<StorageJob>();
        while (true)
        {
            // Timed, so an idle worker still refreshes the free-space figure now and then.
            var taken = _pending.TakeGroup(group, MaxGroupSize, DiskFreeRefreshMs);
            if (taken == Taken.Stopped) break;
            if (Environment.TickCount64 - _diskFreeMeasuredMs >= DiskFreeRefreshMs) RefreshDiskFree();
            if (taken == Taken.Idle) continue;

            RunGroup(group);
            group.Clear();
        }

        CloseDatabase(checkpoint: true);
    }
}
