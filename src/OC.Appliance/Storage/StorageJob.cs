using LiteDB;

namespace OC.Appliance.Storage;

/// <summary>
/// A unit of LiteDB work that answers no request (requests use <c>Sessions.RequestJob&lt;LiteDatabase&gt;</c>).
/// </summary>
/// <remarks>
/// <see cref="WorkerJob{TStore}.Execute"/> may run twice on the storage worker: when another job
/// of the same group throws, the group is rolled back and every job is re-run in a transaction of
/// its own. So Execute must only touch the database and its own result fields, which the second
/// run simply overwrites. It must not open, commit or roll back transactions itself, and must not
/// leave a cursor (an unenumerated <c>Find</c>) open.
/// </remarks>
internal abstract class StorageJob : WorkerJob<LiteDatabase>;
