using System.Diagnostics;
using System.Security.Cryptography;
using LiteDB;
using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage;

/// <summary>
/// A storage job that must not run inside the group's transaction (a checkpoint takes LiteDB's
/// exclusive lock, which the thread cannot take while it holds a transaction's). The worker runs
/// such jobs after the rest of their group committed and was flushed, one by one, outside any
/// transaction: they see everything the group wrote.
/// </summary>
internal interface IOutsideTransactionJob;

/// <summary>A consistent copy of the database (<see cref="StorageWorker.CopyDatabase"/>), a file in the data folder.</summary>
internal readonly record struct DatabaseCopy(string FileName, long Bytes, int Users, int Friendships, long ElapsedMs);

// Backups (Backup/): a consistent copy of the database, taken on the thread that owns it.
internal sealed partial class StorageWorker
{
    /// <summary>Copies for a backup are named <c>oc-snapshot-RANDOM.db</c>; left-overs go at the next open.</summary>
    internal const string SnapshotPrefix = "oc-snapshot-";

    internal const string SnapshotExtension = ".db";

    /// <summary>
    /// On the storage thread, outside any transaction (an <see cref="IOutsideTransactionJob"/>):
    /// checkpoint, so the data file alone holds every commit, then copy it into a new private file
    /// in the data folder. No commit can come between the two, as this thread makes every commit;
    /// the copy is not fsynced (the backup tool reads it at once, from the page cache, and deletes
    /// it). Throws <see cref="DiskFullException"/> when the copy would leave less than
    /// <see cref="MinFreeBytes"/> free: LiteDB must never meet a full disk.
    /// </summary>
    internal DatabaseCopy CopyDatabase(LiteDatabase db)
    {
        var watch = Stopwatch.StartNew();
        db.Checkpoint();
        long size = new FileInfo(_dataPath).Length;
        long free = _disk.Measure();
        if (free - size < MinFreeBytes)
            throw new DiskFullException($"a copy of the database needs {size / 1024} KiB and {MinFreeBytes / 1024} KiB must stay free, but only {free / 1024} KiB are free in {_dataDirectory}");

        string name = SnapshotPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + SnapshotExtension;
        string path = Path.Combine(_dataDirectory, name);
        try
        {
            // LiteDB's own handle holds a shared flock; so does this one (FileShare.ReadWrite).
            using var source = new FileStream(_dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            using var target = PrivateFiles.Open(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            source.CopyTo(target, 1024 * 1024);
            size = target.Length;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        var copy = new DatabaseCopy(name, size, AccountStore.CountUsers(db), FriendStore.Count(db), watch.ElapsedMilliseconds);
        Log.Info("backup.database_copied", $"{size / 1024} KiB to {name} in {copy.ElapsedMs} ms (checkpoint included)");
        return copy;
    }

    /// <summary>Runs the group's <see cref="IOutsideTransactionJob"/>s after the rest of it.</summary>
    protected override void RunGroup(List<WorkerJob<LiteDatabase>> group)
    {
        List<WorkerJob<LiteDatabase>>? outside = null;
        foreach (var job in group)
        {
            if (job is IOutsideTransactionJob) (outside ??= []).Add(job);
        }
        if (outside is null)
        {
            RunInTransaction(group);
            return;
        }
        group.RemoveAll(static job => job is IOutsideTransactionJob);
        if (group.Count > 0) RunInTransaction(group);
        foreach (var job in outside) RunOutsideTransaction(job);
        group.AddRange(outside);
    }

    private void RunOutsideTransaction(WorkerJob<LiteDatabase> job)
    {
        try
        {
            job.Execute(_db ??= OpenDatabase());
        }
        catch (Exception ex)
        {
            job.Error = ex;
            if (ex is DiskFullException || !IsStorageFault(ex))
            {
                Log.Warn("storage.job", $"{job.GetType().Name} failed: {ex.Message}");
                return;
            }
            // As for a failed group: the only safe state is the one on disk.
            Interlocked.Increment(ref _faults);
            _faultUnresolved = true;
            Log.Error("storage.fault", $"{ex.GetType().Name}: {ex.Message} ({job.GetType().Name}); reopening the database");
            RetireAfterFault();
        }
    }

    /// <summary>At open, with the folder locked: copies a backup tool never came back for.</summary>
    private void DeleteLeftoverSnapshots()
    {
        foreach (string path in Directory.EnumerateFiles(_dataDirectory, SnapshotPrefix + "*" + SnapshotExtension))
        {
            File.Delete(path);
            Log.Info("backup.leftover_removed", $"{Path.GetFileName(path)} (a backup's copy of the database)");
        }
    }
}
