using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>
/// One unit of database work. The event loop posts it to the <see cref="StorageWorker"/>,
/// the worker runs it inside a group transaction, and once that group is committed and
/// flushed the loop gets it back through <see cref="StorageWorker.DrainCompleted"/>.
/// </summary>
/// <remarks>
/// <see cref="Execute"/> may run twice: when another job of the same group throws, the group
/// is rolled back and every job is re-run in a transaction of its own. So Execute must only
/// touch the database and its own result fields, which the second run simply overwrites.
/// It must not open, commit or roll back transactions itself, and must not leave a cursor
/// (an unenumerated <c>Find</c>) open.
/// </remarks>
internal abstract class StorageJob
{
    /// <summary>Runs on the storage worker thread, inside the group's transaction. Throwing marks this job failed.</summary>
    internal abstract void Execute(LiteDatabase db);

    /// <summary>Runs on the event loop thread after the group committed and was flushed, or after it failed (Error set).</summary>
    internal abstract void Complete();

    /// <summary>
    /// Null when the job's writes are committed and on disk. Otherwise the job's own exception
    /// (its writes were rolled back), or the storage fault that failed its whole group (an
    /// <see cref="IOException"/> such as a full disk; its writes may or may not have reached
    /// the disk, as with any commit that fails half way, so a retry must be idempotent).
    /// </summary>
    internal Exception? Error { get; set; }

    /// <summary>
    /// False for read-only jobs: a group of only reads needs no commit and no flush. A promise,
    /// not a guard: whatever such a job writes anyway is committed but not flushed.
    /// </summary>
    internal virtual bool Writes => true;

    /// <summary>
    /// Runs on the storage thread once this job's writes are committed and flushed (never for a
    /// failed job, and once only, unlike <see cref="Execute"/>): adds what it stored to the
    /// worker's running totals. Runs before the loop gets the job back, so a client that has
    /// its reply also sees the new totals on the status page.
    /// </summary>
    internal virtual void CountCommitted(StorageCounters counters) { }
}
