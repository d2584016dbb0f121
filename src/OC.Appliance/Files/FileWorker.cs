using OC.Appliance.Diagnostics;
using OC.Appliance.Storage;

namespace OC.Appliance.Files;

/// <summary>A unit of file work: <see cref="Execute"/> on the file worker, <see cref="Complete"/> back on the loop.</summary>
internal abstract class FileJob
{
    public Exception? Error { get; set; }

    internal abstract void Execute(FileStore store);

    internal abstract void Complete();
}

/// <summary>
/// The thread that owns the files folder ("oc-files"): chunk writes, fsyncs, SHA-256, reads for
/// downloads, the sweep of stale partial uploads. Jobs run in the order they were posted and go
/// back to the loop in that order, so a connection's chunks are written in order and its
/// FILE_DATA frames leave in order. Chat never waits for it: messages have their own worker.
/// </summary>
internal sealed class FileWorker : IDisposable
{
    private const int MaxGroupSize = 64;

    private readonly FileStore _store;
    private readonly Action _wakeLoop;
    private readonly Thread _thread;
    private readonly WorkQueue<FileJob> _pending = new("file worker");
    private readonly CompletedQueue<FileJob> _completed = new();

    public FileWorker(string dataDirectory, FileLimits limits, Action wakeLoop)
    {
        Limits = limits;
        _store = new FileStore(dataDirectory, limits);
        _wakeLoop = wakeLoop;
        _thread = new Thread(Run) { Name = "oc-files", IsBackground = false };
        _thread.Start();
    }

    public FileLimits Limits { get; }

    /// <summary>Complete files and their bytes (thread-safe reads; kept by the worker).</summary>
    public long FilesStored => _store.Counters.Files;

    public long FileBytesStored => _store.Counters.FileBytes;

    public void Post(FileJob job) => _pending.Post(job);

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

    public void Dispose()
    {
        _pending.Stop();
        _thread.Join();
        _pending.Dispose();
    }

    private void Run()
    {
        var group = new List<FileJob>();
        while (_pending.TakeGroup(group, MaxGroupSize) == Taken.Group)
        {
            foreach (var job in group)
            {
                try
                {
                    job.Execute(_store);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.Error("files.io_failed", e.Message);
                    job.Error = e;
                }
            }
            _completed.AddRange(group);
            group.Clear();
            _wakeLoop();
        }
        _store.Dispose();
        Log.Info("files.close", $"{_store.Count} files");
    }
}
