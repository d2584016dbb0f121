namespace OC.Appliance.Storage;

/// <summary>
/// One unit of work for the <see cref="GroupWorker{TStore}"/> that owns <typeparamref name="TStore"/>:
/// posted on the loop, <see cref="Execute"/>d on the worker with the rest of its group, and
/// <see cref="Complete"/>d back on the loop after the group's one flush. Every disk worker
/// (accounts in LiteDB, the message log, the file store) runs jobs of this one shape.
/// </summary>
internal abstract class WorkerJob<TStore>
{
    /// <summary>
    /// Null when the job's work is done (and its writes on disk). Otherwise the job's own exception,
    /// or the fault that failed its whole group (e.g. a full disk; a retry must be idempotent).
    /// </summary>
    internal Exception? Error { get; set; }

    /// <summary>
    /// False for read-only jobs: a group of only reads needs no commit and no flush. A promise,
    /// not a guard: whatever such a job writes anyway is committed but not flushed.
    /// </summary>
    internal virtual bool Writes => true;

    /// <summary>On the loop, as the job is queued (a request counts itself in flight here).</summary>
    internal virtual void OnPosted() { }

    /// <summary>On the worker, inside the group. Throwing fails this job only.</summary>
    internal abstract void Execute(TStore store);

    /// <summary>
    /// On the worker, once this job's writes are committed and flushed (never for a failed job,
    /// and once only, unlike <see cref="Execute"/>, which a group may re-run): add what it stored
    /// to the store's running totals before the loop hears of it.
    /// </summary>
    internal virtual void OnDurable() { }

    /// <summary>On the loop, after the group finished (<see cref="Error"/> says how).</summary>
    internal abstract void Complete();
}
