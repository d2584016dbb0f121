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
    }

    protected override void OnStopped()
    {
        _store.Dispose();
        Log.Info("files.close", $"{_store.Count} files");
    }
}
