using OC.Appliance.Diagnostics;
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
    /// Group commit: once no chunk waits, confirm what the uploads of this group wrote, so an upload
    /// that pauses (or a slow one) is confirmed now rather than at its next 16 MiB. A fast upload
    /// keeps the worker busy and is confirmed every 16 MiB; the fsyncs adapt to the load.
    /// </summary>
    private void ConfirmCaughtUp(List<FileJob> group)
    {
        var done = new HashSet<ulong>();
        for (int i = group.Count - 1; i >= 0; i--)
        {
            // The last chunk of each upload in the group reports the confirm (unless it finished the upload).
            if (group[i] is not ChunkJob job || job.Outcome == WriteOutcome.Stale || !done.Add(job.Upload.FileId)) continue;
            if (job.Error is not null || job.Outcome != WriteOutcome.Written) continue;
            try
            {
                job.ConfirmNow(_store);
            }
            catch (Exception e)
            {
                Log.Error("files.confirm_failed", $"{job.Upload.FileId:x16}: {e.GetType().Name}: {e.Message}");
                job.Error = e;
            }
        }
    }

    protected override void OnStopped()
    {
        _store.Dispose();
        Log.Info("files.close", $"{_store.Count} files");
    }
}
