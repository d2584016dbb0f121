namespace OC.Appliance.Storage;

/// <summary>
/// Running totals of what the database holds, for the status page and metrics, kept by the
/// storage worker so the event loop never has to ask LiteDB. Written on the storage thread
/// only (counted when the database opens, then adjusted by each job after its group committed,
/// see <see cref="StorageJob.CountCommitted"/>); read from any thread.
/// </summary>
/// <remarks>
/// Counting at open and adding after each commit is the simplest way that stays exact: a
/// periodic recount would be a full scan that lags, and counting on the loop would miss jobs
/// whose client went away before the reply. After a storage fault the outcome of the failed
/// group is unknown, so the database is counted again when it reopens.
/// Messages are not in LiteDB: the message log counts them (MessageWorker.MessagesStored).
/// Files are not in LiteDB: the file store keeps its own instance (FileStore.Counters).
/// </remarks>
internal sealed class StorageCounters
{
    private long _users;
    private long _files;
    private long _fileBytes;

    public long Users => Interlocked.Read(ref _users);

    public long Files => Interlocked.Read(ref _files);

    public long FileBytes => Interlocked.Read(ref _fileBytes);

    public void AddUsers(long count) => Interlocked.Add(ref _users, count);

    public void AddFile(long bytes)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _fileBytes, bytes);
    }

    /// <summary>Sets every total from a count of the database (at open).</summary>
    public void Reset(long users, long files, long fileBytes)
    {
        Interlocked.Exchange(ref _users, users);
        Interlocked.Exchange(ref _files, files);
        Interlocked.Exchange(ref _fileBytes, fileBytes);
    }
}
