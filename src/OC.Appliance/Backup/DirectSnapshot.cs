using LiteDB;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;

namespace OC.Appliance.Backup;

/// <summary>
/// No appliance runs: this process opens the data folder as the appliance would (its lock, a storage
/// worker; a message worker only for a log that is not whole, see <see cref="LogScan"/>) and takes
/// the same snapshot points with the same code, playing the loop's part itself (as
/// <c>Admin/DirectUserAdmin</c> does). The lock is held until disposed.
/// </summary>
internal sealed class DirectSnapshot : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly string _folder;
    private readonly StorageWorker _storage;

    // Only for a log that is not whole (LogScan): it opens the log as the appliance does.
    private MessageWorker? _messages;

    /// <summary>Throws <see cref="DataFolderBusyException"/> when another process holds the folder.</summary>
    public DirectSnapshot(string folder)
    {
        _folder = folder;
        _storage = new StorageWorker(folder, () => _wake.Release());
    }

    public string ApplianceId => _storage.ApplianceId;

    /// <summary>As the appliance: the log's point first, then the database's copy.</summary>
    public async Task<(DatabaseCopy Copy, MessagesPoint Messages)> TakeAsync(CancellationToken cancellationToken)
    {
        var point = LogScan.TryWhole(Path.Combine(_folder, MessageLog.FileName));
        if (point is null)
        {
            _messages = new MessageWorker(_folder, () => _wake.Release());
            var job = new Job<MessageLog, MessagesPoint>(MessagesPoint.Of);
            _messages.Post(job);
            await WaitAsync(job, _messages, cancellationToken).ConfigureAwait(false);
            point = job.Result;
        }
        var copy = new CopyJob(_storage);
        _storage.Post(copy);
        await WaitAsync(copy, _storage, cancellationToken).ConfigureAwait(false);
        return (copy.Result, point.Value);
    }

    public void Dispose()
    {
        _messages?.Dispose();
        _messages?.DrainCompleted();
        _storage.Dispose();
        _storage.DrainCompleted();
        _wake.Dispose();
    }

    private async Task WaitAsync<TStore>(IDone job, GroupWorker<TStore> worker, CancellationToken cancellationToken)
    {
        while (!job.Done)
        {
            await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            worker.DrainCompleted();
        }
        if (job.Failure is { } error) throw new IOException($"no snapshot: {error.Message}", error);
    }

    private interface IDone
    {
        bool Done { get; }
        Exception? Failure { get; }
    }

    private class Job<TStore, T>(Func<TStore, T> work) : WorkerJob<TStore>, IDone
    {
        public T Result { get; private set; } = default!;
        public bool Done { get; private set; }
        public Exception? Failure => Error;

        internal override bool Writes => false;

        internal override void Execute(TStore store) => Result = work(store);

        internal override void Complete() => Done = true;
    }

    private sealed class CopyJob(StorageWorker storage) : Job<LiteDatabase, DatabaseCopy>(storage.CopyDatabase), IOutsideTransactionJob;
}
