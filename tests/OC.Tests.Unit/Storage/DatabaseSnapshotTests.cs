using LiteDB;
using OC.Appliance.Storage;

namespace OC.Tests.Storage;

/// <summary>
/// The storage worker's part of a backup (StorageWorker.Snapshot.cs): a checkpoint and a copy of
/// the database outside the group's transaction, after the group's writes committed.
/// </summary>
public sealed class DatabaseSnapshotTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class CopyJob(StorageWorker worker) : StorageJob, IOutsideTransactionJob
    {
        internal DatabaseCopy Copy { get; private set; }

        internal override bool Writes => false;

        internal override void Execute(LiteDatabase db) => Copy = worker.CopyDatabase(db);

        internal override void Complete() { }
    }

    private static TestJob Insert(string id) => TestJob.Do(db => db.GetCollection("t").Insert(new BsonDocument { ["_id"] = id }));

    [Fact]
    public void A_copy_in_the_middle_of_a_group_holds_every_write_of_the_group_and_opens_without_a_log()
    {
        using var harness = new StorageHarness(_dir.Path);
        harness.Run(Insert("before"));

        // Held on the worker until the next three are queued: they then run as one group.
        using var gate = new ManualResetEventSlim(false);
        var held = TestJob.Do(_ => gate.Wait(StorageHarness.Timeout), writes: false);
        harness.Worker.Post(held);
        var first = Insert("first of the group");
        var copy = new CopyJob(harness.Worker);
        var last = Insert("last of the group");
        harness.Worker.Post(first);
        harness.Worker.Post(copy);
        harness.Worker.Post(last);
        gate.Set();
        harness.Pump(harness.Drained + 4);

        // A checkpoint inside the group's transaction would have thrown (LiteDB's exclusive lock).
        Assert.Null(copy.Error);
        Assert.Null(first.Error);
        Assert.Null(last.Error);
        string path = Path.Combine(_dir.Path, copy.Copy.FileName);
        Assert.Matches(@"^oc-snapshot-[0-9a-f]{16}\.db$", copy.Copy.FileName);
        Assert.Equal(new FileInfo(path).Length, copy.Copy.Bytes);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        // The copy alone (no log beside it) is the database after the group.
        using (var copied = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, ReadOnly = true }))
        {
            Assert.Equal(["before", "first of the group", "last of the group"],
                copied.GetCollection("t").FindAll().Select(d => d["_id"].AsString).Order(StringComparer.Ordinal));
        }
        // The worker goes on committing as before.
        Assert.Null(harness.Run(Insert("after")).Error);
    }

    [Fact]
    public void A_copy_that_would_fill_the_disk_is_refused_and_leaves_nothing()
    {
        using var harness = new StorageHarness(_dir.Path, minFreeBytes: long.MaxValue / 2);
        var copy = new CopyJob(harness.Worker);
        harness.Worker.Post(copy);
        harness.Pump(1);
        Assert.IsType<DiskFullException>(copy.Error);
        Assert.StartsWith("a copy of the database needs ", copy.Error!.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, "oc-snapshot-*"));
    }

    [Fact]
    public void A_copy_left_by_a_crash_is_deleted_when_the_database_opens()
    {
        string leftover = Path.Combine(_dir.Path, "oc-snapshot-00112233445566aa.db");
        File.WriteAllBytes(leftover, [1, 2, 3]);
        using var harness = new StorageHarness(_dir.Path);
        Assert.False(File.Exists(leftover));
    }
}
