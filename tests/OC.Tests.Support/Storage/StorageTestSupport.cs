using System.Diagnostics;
using LiteDB;
using OC.Appliance.Storage;

namespace OC.Tests.Storage;

/// <summary>A job built from delegates; records where and how often it ran.</summary>
internal sealed class TestJob : StorageJob
{
    private readonly Func<LiteDatabase, object?> _execute;
    private readonly Action<TestJob>? _complete;
    private readonly bool _writes;

    internal TestJob(Func<LiteDatabase, object?> execute, Action<TestJob>? complete = null, bool writes = true)
    {
        _execute = execute;
        _complete = complete;
        _writes = writes;
    }

    internal static TestJob Do(Action<LiteDatabase> execute, Action<TestJob>? complete = null, bool writes = true) =>
        new(db => { execute(db); return null; }, complete, writes);

    internal override bool Writes => _writes;

    internal object? Result { get; private set; }
    internal int Executions { get; private set; }
    internal string? ExecuteThreadName { get; private set; }
    internal int CompleteThreadId { get; private set; }
    internal bool Completed { get; private set; }

    internal override void Execute(LiteDatabase db)
    {
        Executions++;
        ExecuteThreadName = Thread.CurrentThread.Name;
        Result = null;
        Result = _execute(db);
    }

    internal override void Complete()
    {
        CompleteThreadId = Environment.CurrentManagedThreadId;
        Completed = true;
        _complete?.Invoke(this);
    }
}

/// <summary>Holds the worker inside a job until released, so the next posts pile up into one group.</summary>
internal sealed class GateJob : StorageJob, IDisposable
{
    private readonly ManualResetEventSlim _started = new();
    private readonly ManualResetEventSlim _release = new();

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        _started.Set();
        if (!_release.Wait(StorageHarness.Timeout)) throw new TimeoutException("gate was never released");
    }

    internal override void Complete() { }

    internal void WaitUntilRunning()
    {
        if (!_started.Wait(StorageHarness.Timeout)) throw new TimeoutException("the worker never ran the gate job");
    }

    internal void Release() => _release.Set();

    public void Dispose()
    {
        _started.Dispose();
        _release.Dispose();
    }
}

/// <summary>A fresh directory under the temp folder, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    internal TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "oc-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    internal string Path { get; }

    internal string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A mount point that could not be unmounted; leave it for the OS temp cleaner.
        }
    }
}

/// <summary>
/// A worker plus the loop's side of it: the wake callback sets an event, and <see cref="Pump"/>
/// waits on it and drains, as the event loop will.
/// </summary>
internal sealed class StorageHarness : IDisposable
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly AutoResetEvent _wake = new(false);
    private int _wakes;
    private bool _disposed;

    internal StorageHarness(string dataDirectory, bool flushToDisk = true, long minFreeBytes = 0)
    {
        DataDirectory = dataDirectory;
        Worker = new StorageWorker(dataDirectory, () =>
        {
            Interlocked.Increment(ref _wakes);
            _wake.Set();
        })
        { FlushToDisk = flushToDisk, MinFreeBytes = minFreeBytes };
    }

    internal StorageWorker Worker { get; }
    internal string DataDirectory { get; }
    internal int Wakes => Volatile.Read(ref _wakes);
    internal int Drained { get; private set; }

    /// <summary>Posts one job and pumps until it (and everything before it) is complete.</summary>
    internal T Run<T>(T job) where T : StorageJob
    {
        Worker.Post(job);
        Pump(Drained + 1);
        return job;
    }

    /// <summary>Waits for wake-ups and drains until <paramref name="total"/> jobs were completed in all.</summary>
    internal void Pump(int total)
    {
        var clock = Stopwatch.StartNew();
        while (Drained < total)
        {
            var left = Timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || !_wake.WaitOne(left))
                throw new TimeoutException($"only {Drained} of {total} storage jobs completed");
            Drained += Worker.DrainCompleted();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Worker.Dispose();
        Drained += Worker.DrainCompleted();
        _wake.Dispose();
    }

    /// <summary>Opens a database file directly, as a fresh process would.</summary>
    internal static LiteDatabase OpenDirect(string dataDirectory) =>
        new(new ConnectionString { Filename = System.IO.Path.Combine(dataDirectory, StorageWorker.DataFileName), Connection = ConnectionType.Direct });
}
