using LiteDB;
using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage;

/// <summary>
/// The one thread that touches LiteDB, a <see cref="GroupWorker{TStore}"/>: the loop posts jobs;
/// the worker takes everything queued (up to <see cref="MaxGroupSize"/>), runs it in one
/// transaction, commits once, fsyncs the log, and only then hands the jobs back and wakes the
/// loop (group commit: one fsync serves every job of the group, so each acknowledgement means
/// "on disk" without paying one fsync per message).
/// </summary>
/// <remarks>
/// The group logic, fault handling and open/close are in StorageWorker.Group.cs.
/// </remarks>
internal sealed partial class StorageWorker : GroupWorker<LiteDatabase>
{
    /// <summary>Bounds a group so the first job of a long queue is not kept waiting for the last.</summary>
    internal const int MaxGroupSize = 4096;

    internal const string DataFileName = "oc.db";

    private readonly string _dataDirectory;
    private readonly string _dataPath;
    private readonly LogFileSync _logSync;
    private readonly DiskSpaceGuard _disk;
    private readonly DataFolderLock _lock;

    // Owned by the worker thread once it runs (the constructor opens it before the thread starts).
    // Null after a storage fault until the next group reopens it.
    private LiteDatabase? _db;

    // Instances closed after a storage fault, kept reachable on purpose: see RetireAfterFault.
    private readonly List<LiteDatabase> _retired = [];

    private long _groupsCommitted;
    private long _faults;

    // Set by a storage fault, cleared by the next group that commits writes (or, for a full
    // disk, once enough space is free again). Written on the storage thread, read anywhere.
    private volatile bool _faultUnresolved;
    private bool _faultIsDiskFull;

    // Free space is measured on the storage thread (statfs can block on a sick disk; the loop
    // must not), at most DiskFreeRefreshMs old while running.
    private const int DiskFreeRefreshMs = 5_000;
    private long _diskFreeMeasuredMs; // storage thread only

    /// <summary>
    /// Creates <paramref name="dataDirectory"/> (0700) if needed, opens (or creates) oc.db in it, makes
    /// sure the appliance id exists, and starts the "oc-storage" thread. Blocks on disk: call
    /// it at startup, before the loop runs. Throws if the database cannot be opened.
    /// </summary>
    /// <param name="wakeLoop">Called on the worker thread once per finished group; it must be
    /// cheap and thread-safe (e.g. write to an eventfd) and stay usable until Dispose returns.</param>
    /// <param name="time">The clock of the free-space refresh (the system's by default).</param>
    internal StorageWorker(string dataDirectory, Action wakeLoop, TimeProvider? time = null)
        : base("storage worker", MaxGroupSize, wakeLoop, time)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);

        _dataDirectory = Path.GetFullPath(dataDirectory);
        _dataPath = Path.Combine(_dataDirectory, DataFileName);
        _logSync = new LogFileSync(_dataPath);

        // Created 0700; an existing folder wider than that is logged (storage.folder_mode).
        if (PrivateFiles.EnsureDataFolder(_dataDirectory))
        {
            // The new directory's own entry lives in its parent.
            if (Path.GetDirectoryName(_dataDirectory) is { } parent) DirectorySync.Flush(parent);
        }
        _disk = new DiskSpaceGuard(_dataDirectory, DefaultMinFreeBytes);

        // Before the database: a second process must not open it beside us.
        _lock = DataFolderLock.Acquire(_dataDirectory);
        try
        {
            DeleteLeftoverSnapshots();
            _db = OpenDatabase();
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
        try
        {
            // Created on first open and flushed here, so the id the appliance announces
            // (mDNS TXT, status page) is already on disk.
            ApplianceId = AccountStore.GetOrCreateApplianceId(_db);
            FriendStore.EnsureIndexes(_db);
            FriendRequestStore.EnsureIndexes(_db);
            BlockStore.EnsureIndexes(_db);
            UserSessions.EnsureIndexes(_db);
            RoomStore.EnsureIndexes(_db);
            _logSync.Flush();
            RefreshDiskFree();
        }
        catch
        {
            CloseDatabase(checkpoint: false);
            _logSync.Dispose();
            _lock.Dispose();
            throw;
        }

        Start("oc-storage");
    }

    /// <summary>
    /// False skips the fsync after each group (benchmarks only: a reply then no longer means
    /// "on disk"). Read by the worker for every group; the open-time flushes always happen.
    /// </summary>
    internal bool FlushToDisk { get; init; } = true;

    /// <summary>
    /// A group that writes is refused, before LiteDB sees it, while the data folder's file system
    /// has less than this free (<see cref="DiskSpaceGuard"/>).
    /// </summary>
    internal long MinFreeBytes
    {
        get => _disk.MinFreeBytes;
        init => _disk.MinFreeBytes = value;
    }

    internal const long DefaultMinFreeBytes = DiskSpaceGuard.DefaultMinFreeBytes;

    /// <summary>The random id of this appliance's database (meta collection), stable across restarts.</summary>
    internal string ApplianceId { get; }

    internal string DatabasePath => _dataPath;

    /// <summary>Groups that wrote, committed and (unless disabled) were flushed.</summary>
    internal long GroupsCommitted => Interlocked.Read(ref _groupsCommitted);

    /// <summary>Groups failed by a storage fault (full disk, I/O error), each followed by a reopen.</summary>
    internal long Faults => Interlocked.Read(ref _faults);

    /// <summary>True after a storage fault until a later group commits again (/healthz fails meanwhile).</summary>
    internal bool HasUnresolvedFault => _faultUnresolved;

    /// <summary>What the database holds (users), for the status page; owned by this worker.</summary>
    internal AccountCounters Counters { get; } = new();

    /// <summary>Bytes free for this process in the data folder's file system, a few seconds old; -1 if unknown.</summary>
    internal long DiskFreeBytes => _disk.LastFreeBytes;

    // Timed, so an idle worker still refreshes the free-space figure now and then.
    protected override int IdleWaitMs => DiskFreeRefreshMs;

    protected override void RunIdle(List<WorkerJob<LiteDatabase>> finished) => RefreshDiskFree();

    protected override void OnStopped() => CloseDatabase(checkpoint: true);

    protected override void OnDisposed()
    {
        _logSync.Dispose();
        _lock.Dispose();
    }
}
