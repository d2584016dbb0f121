using OC.Appliance.Diagnostics;
using OC.Appliance.Net;

namespace OC.Appliance.Storage.Files;

/// <summary>
/// The thread that owns the files folder ("oc-files"): chunk writes, fsyncs, SHA-256, reads for
/// downloads, the sweep of stale partial uploads. Jobs run in the order they were posted and go
/// back to the loop in that order, so a connection's chunks are written in order and its
/// FILE_DATA frames leave in order. Chat never waits for it: messages have their own worker.
/// </summary>
/// <remarks>
/// After each group the store reports the uploads' progress (<see cref="FileStore.ReportProgress"/>);
/// the reports go back through the completion queue, behind the group's jobs, to
/// <see cref="OnProgress"/>. The worker holds no connection and no handler state, only that callback.
/// </remarks>
internal sealed class FileWorker : GroupWorker<FileStore>
{
    private const int MaxGroupSize = 64;

    private readonly FileStore _store;
    private readonly List<UploadProgress> _reports = [];

    public FileWorker(string dataDirectory, FileLimits limits, Action wakeLoop, TimeProvider? time = null)
        : base("file worker", MaxGroupSize, wakeLoop, time)
    {
        Limits = limits;
        _store = new FileStore(dataDirectory, limits);
        // --retention at start (then with the hourly sweep); before the thread owns the store.
        _store.Expire(Time.UnixMs());
        Start("oc-files");
    }

    public FileLimits Limits { get; }

    /// <summary>On the loop: an upload's progress. Set once, before the first upload.</summary>
    public Action<UploadProgress>? OnProgress { get; set; }

    /// <summary>Complete files and their bytes (thread-safe reads; kept by the store).</summary>
    public long FilesStored => _store.Counters.Files;

    public long FileBytesStored => _store.Counters.FileBytes;

    protected override void RunGroup(List<WorkerJob<FileStore>> group)
    {
        // One clock read per group: what the jobs record as the time of their writes.
        _store.NowMs = Time.UnixMs();
        ExecuteEach(group, _store, "files.job_failed");
        Report(caughtUp: !HasQueuedJobs, group);
    }

    protected override int IdleWaitMs
    {
        get
        {
            long due = _store.NextConfirmDueMs;
            if (due == 0) return Timeout.Infinite;
            // 0 when it is due already (the group took that long): confirm without waiting.
            return (int)Math.Clamp(due - Time.UnixMs(), 0, 60_000);
        }
    }

    protected override void RunIdle(List<WorkerJob<FileStore>> finished) => Report(caughtUp: true, finished);

    protected override void OnStopped()
    {
        _store.Dispose();
        Log.Info("files.close", $"{_store.Count} files");
    }

    private void Report(bool caughtUp, List<WorkerJob<FileStore>> finished)
    {
        _store.ReportProgress(caughtUp, Time.UnixMs(), _reports);
        foreach (var report in _reports) finished.Add(new ProgressReport(report, this));
        _reports.Clear();
    }

    /// <summary>An upload's progress on its way to the loop, in order behind the jobs of its group.</summary>
    private sealed class ProgressReport(UploadProgress progress, FileWorker worker) : WorkerJob<FileStore>
    {
        internal override void Execute(FileStore store) { }

        internal override void Complete() => worker.OnProgress?.Invoke(progress);
    }
}
