using LiteDB;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;

namespace OC.Appliance.Storage;

// Group commit, per-job failure isolation, storage faults, open and close.
internal sealed partial class StorageWorker
{
    /// <summary>The group in one transaction (or one per job after a failure), committed and flushed.</summary>
    private void RunInTransaction(List<WorkerJob<LiteDatabase>> group)
    {
        if (Time.NowMs() - _diskFreeMeasuredMs >= DiskFreeRefreshMs) RefreshDiskFree();
        var writes = false;
        foreach (var job in group) writes |= job.Writes;

        Exception? fault = null;
        try
        {
            if (writes) EnsureFreeSpace();
            var db = _db ??= OpenDatabase();
            if (group.Count == 1 || !TryRunTogether(db, group)) RunOneByOne(db, group);
            if (writes && FlushToDisk) _logSync.Flush();
        }
        catch (Exception ex)
        {
            // Whatever escapes came from LiteDB itself (begin, commit, rollback), from the flush,
            // or is an I/O error a job hit. After a failed commit LiteDB's in-memory state (cache,
            // header, WAL index) no longer matches the files, so the only safe state is the one
            // on disk: close without checkpoint and reopen for the next group, which replays the
            // log and ignores the unconfirmed tail. A full disk thus fails this group only.
            fault = ex;
            Interlocked.Increment(ref _faults);
            _faultUnresolved = true;
            _faultIsDiskFull = ex is DiskFullException;
            if (ex is DiskFullException)
            {
                // Refused before LiteDB was touched: nothing to reopen.
                Log.Error("storage.disk_full", $"{ex.Message} ({group.Count} job(s) refused)");
                goto finished;
            }
            Log.Error("storage.fault", $"{ex.GetType().Name}: {ex.Message} ({group.Count} job(s) failed); reopening the database");
            RetireAfterFault();
        }
        finished:

        foreach (var job in group)
        {
            // A job's own error is more precise than the fault (and its writes were rolled back).
            if (fault is not null) job.Error ??= fault;
        }
        if (fault is null && writes)
        {
            Interlocked.Increment(ref _groupsCommitted);
            _faultUnresolved = false;
        }
    }

    private void EnsureFreeSpace()
    {
        _diskFreeMeasuredMs = Time.NowMs();
        _disk.EnsureRoom();
    }

    /// <summary>For the status page, and to see a full disk recover while nobody writes.</summary>
    private void RefreshDiskFree()
    {
        try
        {
            _diskFreeMeasuredMs = Time.NowMs();
            long free = _disk.Measure();
            if (_faultIsDiskFull && free >= MinFreeBytes)
            {
                _faultIsDiskFull = false;
                _faultUnresolved = false;
                Log.Info("storage.disk_space", $"{free / 1024} KiB free again in {_dataDirectory}");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _disk.Forget();
            Log.Debug("storage.disk_space", $"cannot measure free space: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>All jobs in one transaction. False (rolled back) as soon as one job throws.</summary>
    private static bool TryRunTogether(LiteDatabase db, List<WorkerJob<LiteDatabase>> group)
    {
        BeginTransaction(db);
        foreach (var job in group)
        {
            try
            {
                job.Execute(db);
            }
            catch (Exception ex) when (!IsStorageFault(ex))
            {
                db.Rollback();
                if (Log.IsEnabled(LogLevel.Debug))
                    Log.Debug("storage.group", $"{job.GetType().Name} threw {ex.GetType().Name}; re-running the {group.Count} jobs of its group one by one");
                return false;
            }
        }
        Commit(db);
        return true;
    }

    /// <summary>One transaction per job, so a bad job fails alone and the others still commit.</summary>
    private static void RunOneByOne(LiteDatabase db, List<WorkerJob<LiteDatabase>> group)
    {
        foreach (var job in group)
        {
            job.Error = null;
            BeginTransaction(db);
            try
            {
                job.Execute(db);
            }
            catch (Exception ex) when (!IsStorageFault(ex))
            {
                db.Rollback();
                job.Error = ex;
                if (Log.IsEnabled(LogLevel.Debug))
                    Log.Debug("storage.job", $"{job.GetType().Name} failed: {ex.GetType().Name}: {ex.Message}");
                continue;
            }
            Commit(db);
        }
    }

    private static void BeginTransaction(LiteDatabase db)
    {
        // LiteDB transactions belong to the calling thread; false means one is still open here.
        if (!db.BeginTrans()) throw new InvalidOperationException("The storage thread is already inside a transaction.");
    }

    private static void Commit(LiteDatabase db)
    {
        // False means no transaction was open any more: a job committed or rolled back on its own,
        // so what it and the jobs after it wrote was not part of this group.
        if (!db.Commit()) throw new InvalidOperationException("A storage job ended the group transaction itself.");
    }

    /// <summary>
    /// Errors that say the storage, not the job, is broken. LiteDB closes its engine on an
    /// IOException (EngineState.Handle), after which every call fails, so these fail the group.
    /// </summary>
    private static bool IsStorageFault(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or ObjectDisposedException
        || ex is LiteException { ErrorCode: LiteException.INVALID_DATAFILE_STATE or LiteException.ENGINE_DISPOSED };

    private LiteDatabase OpenDatabase()
    {
        var db = new LiteDatabase(new ConnectionString { Filename = _dataPath, Connection = ConnectionType.Direct });
        try
        {
            // LiteDB creates its files with the process's umask: 0644 in a process started by
            // hand (the appliance's own sets umask 077; a host that runs it in-process may not).
            PrivateFiles.Restrict(_dataPath);
            // LiteDB fsyncs the header page of a new data file but never the directory that
            // names it; without this a power cut can leave no oc.db at all.
            DirectorySync.Flush(_dataDirectory);
            CountStored(db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
        Log.Info("storage.open", $"opened {_dataPath}");
        return db;
    }

    /// <summary>
    /// After a fault the group's transaction may still be open, and LiteDB's TransactionService
    /// has a finalizer that asserts on an unfinished transaction ("discarded page must be
    /// writable"): thrown on the finalizer thread, that kills the process at some later GC. So
    /// roll back if LiteDB still lets us, and keep the faulted instance reachable for the life
    /// of the process so its internals are never finalized. Faults are rare (a full disk), and
    /// a retired instance holds little once closed.
    /// </summary>
    private void RetireAfterFault()
    {
        var db = _db;
        if (db is not null)
        {
            try
            {
                db.Rollback();
            }
            catch (Exception rollbackError)
            {
                Log.Debug("storage.fault", $"rollback after the fault failed too: {rollbackError.GetType().Name}");
            }
            _retired.Add(db);
        }
        CloseDatabase(checkpoint: false);
    }

    /// <summary>
    /// Sets the running totals from the database: at start, and again after a fault reopened
    /// it (the failed group may or may not have reached the disk). Counts of the _id indexes of
    /// users, friend requests and blocks, on the storage thread; messages and files have their own
    /// stores and counts.
    /// </summary>
    private void CountStored(LiteDatabase db) =>
        Counters.Reset(AccountStore.CountUsers(db), FriendRequestStore.Count(db), BlockStore.Count(db), RoomStore.Count(db));

    /// <param name="checkpoint">True for a clean shutdown: copy the log into the data file
    /// (LiteDB fsyncs it) so the next start has no log to replay. False after a fault.</param>
    private void CloseDatabase(bool checkpoint)
    {
        var db = _db;
        _db = null;
        // Our handle goes first: LiteDB deletes the log on close and, on the next open, may
        // trim a torn tail through a FileShare.None handle that our shared lock would refuse.
        _logSync.Close();
        if (db is null) return;

        if (checkpoint)
        {
            try
            {
                db.Checkpoint();
            }
            catch (Exception ex)
            {
                Log.Warn("storage.close", $"checkpoint failed, the log will be replayed on next open: {ex.GetType().Name}: {ex.Message}");
            }
        }

        try
        {
            db.Dispose();
            // Makes the deletion of the emptied log final, so a crash cannot bring it back.
            if (checkpoint) DirectorySync.Flush(_dataDirectory);
        }
        catch (Exception ex)
        {
            Log.Warn("storage.close", $"closing the database failed: {ex.GetType().Name}: {ex.Message}");
        }

        if (checkpoint) Log.Info("storage.close", $"closed {_dataPath}");
    }
}
