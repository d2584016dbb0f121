using OC.Appliance.Diagnostics;
using OC.Appliance.Protocol;
using OC.Appliance.Storage;

namespace OC.Appliance.Files;

/// <summary>A unit of file work: <see cref="Execute"/> on the file worker, <see cref="Complete"/> back on the loop.</summary>
internal abstract class FileJob : WorkerJob
{
    internal abstract void Execute(FileStore store);
}

/// <summary>
/// The thread that owns the files folder ("oc-files"): chunk writes, fsyncs, SHA-256, reads for
/// downloads, the sweep of stale partial uploads. Jobs run in the order they were posted and go
/// back to the loop in that order, so a connection's chunks are written in order and its
/// FILE_DATA frames leave in order. Chat never waits for it: messages have their own worker.
/// </summary>
internal sealed class FileWorker : GroupWorker<FileJob>
{
    private const int MaxGroupSize = 64;

    private readonly FileStore _store;

    public FileWorker(string dataDirectory, FileLimits limits, Action wakeLoop)
        : base("file worker", MaxGroupSize, wakeLoop)
    {
        Limits = limits;
        _store = new FileStore(dataDirectory, limits);
        Start("oc-files");
    }

    public FileLimits Limits { get; }

    /// <summary>Complete files and their bytes (thread-safe reads; kept by the worker).</summary>
    public long FilesStored => _store.Counters.Files;

    public long FileBytesStored => _store.Counters.FileBytes;

    protected override void RunGroup(List<FileJob> group)
    {
        foreach (var job in group)
        {
            try
            {
                job.Execute(_store);
            }
            catch (Exception e)
            {
                // One job's failure (a full disk, a bad read, a bug) fails that job, not the thread.
                Log.Error("files.job_failed", $"{job.GetType().Name}: {e.GetType().Name}: {e.Message}");
                job.Error = e;
            }
        }
        if (!HasQueuedJobs) ConfirmCaughtUp(group);
    }

    /// <summary>
    /// Group commit: once no chunk waits, confirm what the uploads of this group wrote (4 MiB or a
    /// quarter second since their last confirm, <see cref="FileLimits.ConfirmIdleBytes"/>), so a
    /// slow upload is confirmed as it goes rather than at its next 16 MiB. A fast upload keeps the
    /// worker busy and is confirmed every 16 MiB; the fsyncs adapt to the load. What is not due
    /// yet waits in <see cref="_idle"/> for <see cref="RunIdle"/>, so a paused upload is confirmed too.
    /// </summary>
    private void ConfirmCaughtUp(List<FileJob> group)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var done = new HashSet<ulong>();
        for (int i = group.Count - 1; i >= 0; i--)
        {
            // The last chunk of each upload in the group reports the confirm (unless it finished the upload).
            if (group[i] is not ChunkJob job || job.Outcome == WriteOutcome.Stale || !done.Add(job.Upload.FileId)) continue;
            _idle.Remove(job.Upload.FileId);
            if (job.Error is not null || job.Outcome != WriteOutcome.Written) continue;
            try
            {
                long due = job.ConfirmIdle(_store, now);
                if (due != 0) _idle[job.Upload.FileId] = (job.Router, job.Upload, due);
            }
            catch (Exception e)
            {
                Log.Error("files.confirm_failed", $"{job.Upload.FileId:x16}: {e.GetType().Name}: {e.Message}");
                job.Error = e;
            }
        }
    }

    /// <summary>Uploads with written bytes whose confirm was not due when the worker caught up, and when it is.</summary>
    private readonly Dictionary<ulong, (RequestRouter Router, FileUpload Upload, long DueMs)> _idle = [];

    protected override int IdleWaitMs
    {
        get
        {
            if (_idle.Count == 0) return Timeout.Infinite;
            long first = long.MaxValue;
            foreach (var (_, _, due) in _idle.Values) first = Math.Min(first, due);
            return (int)Math.Clamp(first - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, 60_000);
        }
    }

    protected override void RunIdle(List<FileJob> finished)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (id, (router, upload, due)) in _idle.ToList())
        {
            if (due > now) continue;
            _idle.Remove(id);
            try
            {
                long confirmed = _store.ConfirmIdle(id, now, out long later);
                if (later != 0) _idle[id] = (router, upload, later);
                finished.Add(new IdleConfirmJob(router, upload, confirmed));
            }
            catch (Exception e)
            {
                // A failed flush closed the upload; the next chunk or offer reports the error.
                Log.Error("files.confirm_failed", $"{id:x16}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    protected override void OnStopped()
    {
        _store.Dispose();
        Log.Info("files.close", $"{_store.Count} files");
    }
}
