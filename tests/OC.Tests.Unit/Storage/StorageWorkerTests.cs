using LiteDB;
using OC.Appliance.Storage;

namespace OC.Tests.Storage;

public sealed class StorageWorkerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static BsonDocument Doc(int id) => new() { ["_id"] = id, ["v"] = "value " + id };

    [Fact]
    public void Jobs_complete_in_order_on_the_draining_thread_after_the_worker_ran_them()
    {
        var order = new List<int>();
        var jobs = new List<TestJob>();
        using (var harness = new StorageHarness(_dir.Path))
        {
            for (var i = 0; i < 50; i++)
            {
                var id = i;
                var job = TestJob.Do(db => db.GetCollection("t").Insert(Doc(id)), complete: _ => order.Add(id));
                jobs.Add(job);
                harness.Worker.Post(job);
            }
            harness.Pump(50);

            Assert.Equal(Enumerable.Range(0, 50), order);
            Assert.True(harness.Wakes >= 1);
            Assert.All(jobs, j =>
            {
                Assert.Null(j.Error);
                Assert.Equal("oc-storage", j.ExecuteThreadName);
                Assert.Equal(Environment.CurrentManagedThreadId, j.CompleteThreadId);
            });
            Assert.Equal(50, harness.Worker.JobsCompleted);
            Assert.Equal(0, harness.Worker.JobsFailed);
            Assert.True(harness.Worker.GroupsCommitted >= 1);
        }

        using var reopened = StorageHarness.OpenDirect(_dir.Path);
        Assert.Equal(50, reopened.GetCollection("t").Count());
    }

    [Fact]
    public void Many_jobs_posted_at_once_share_few_commits()
    {
        using var harness = new StorageHarness(_dir.Path);
        using var gate = new GateJob();
        harness.Worker.Post(gate);
        gate.WaitUntilRunning();

        for (var i = 0; i < 1000; i++)
        {
            var id = i;
            harness.Worker.Post(TestJob.Do(db => db.GetCollection("t").Insert(Doc(id))));
        }
        gate.Release();
        harness.Pump(1001);

        Assert.InRange(harness.Worker.GroupsCommitted, 1, 999);
        Assert.Equal(0, harness.Worker.JobsFailed);
        // The gate was a group of its own (a read, so no commit); the 1000 waited behind it.
        Assert.Equal(1, harness.Worker.GroupsCommitted);
        Assert.True(harness.Wakes <= 2);
    }

    [Fact]
    public void A_throwing_job_fails_alone_and_the_rest_of_its_group_commits()
    {
        TestJob first, bad, last;
        using (var harness = new StorageHarness(_dir.Path))
        {
            using var gate = new GateJob();
            harness.Worker.Post(gate);
            gate.WaitUntilRunning();

            first = TestJob.Do(db => db.GetCollection("t").Insert(Doc(1)));
            bad = TestJob.Do(db =>
            {
                db.GetCollection("t").Insert(Doc(2));
                throw new InvalidOperationException("bad job");
            });
            last = TestJob.Do(db => db.GetCollection("t").Insert(Doc(3)));
            harness.Worker.Post(first);
            harness.Worker.Post(bad);
            harness.Worker.Post(last);
            gate.Release();
            harness.Pump(4);

            Assert.Null(first.Error);
            Assert.IsType<InvalidOperationException>(bad.Error);
            Assert.Null(last.Error);
            // Tried together once, then each again in a transaction of its own.
            Assert.Equal(2, first.Executions);
            Assert.Equal(1, harness.Worker.JobsFailed);
            Assert.Equal(0, harness.Worker.Faults);
        }

        using var reopened = StorageHarness.OpenDirect(_dir.Path);
        var ids = reopened.GetCollection("t").FindAll().Select(d => d["_id"].AsInt32).Order().ToArray();
        Assert.Equal([1, 3], ids);
    }

    [Fact]
    public void A_job_that_throws_alone_in_its_group_runs_once()
    {
        using var harness = new StorageHarness(_dir.Path);
        var bad = harness.Run(TestJob.Do(_ => throw new FormatException("nope")));
        Assert.IsType<FormatException>(bad.Error);
        Assert.Equal(1, bad.Executions);

        var good = harness.Run(TestJob.Do(db => db.GetCollection("t").Insert(Doc(1))));
        Assert.Null(good.Error);
    }

    [Fact]
    public void A_storage_fault_fails_the_whole_group_and_the_worker_reopens_for_the_next()
    {
        using (var harness = new StorageHarness(_dir.Path))
        {
            using var gate = new GateJob();
            harness.Worker.Post(gate);
            gate.WaitUntilRunning();

            var before = TestJob.Do(db => db.GetCollection("t").Insert(Doc(1)));
            var faulty = TestJob.Do(_ => throw new IOException("No space left on device"));
            harness.Worker.Post(before);
            harness.Worker.Post(faulty);
            gate.Release();
            harness.Pump(3);

            Assert.IsType<IOException>(before.Error);
            Assert.Same(faulty.Error, before.Error);
            Assert.Equal(1, harness.Worker.Faults);

            var after = harness.Run(TestJob.Do(db => db.GetCollection("t").Insert(Doc(2))));
            Assert.Null(after.Error);
        }

        using var reopened = StorageHarness.OpenDirect(_dir.Path);
        var ids = reopened.GetCollection("t").FindAll().Select(d => d["_id"].AsInt32).ToArray();
        Assert.Equal([2], ids);
    }

    [Fact]
    public void Dispose_finishes_posted_jobs_and_leaves_them_for_a_final_drain()
    {
        var harness = new StorageHarness(_dir.Path);
        var jobs = Enumerable.Range(0, 200)
            .Select(i => TestJob.Do(db => db.GetCollection("t").Insert(Doc(i))))
            .ToList();
        foreach (var job in jobs) harness.Worker.Post(job);

        harness.Worker.Dispose();
        // A job posted after the stop is not run: it completes, failed, at the drain (a completion
        // at shutdown that posts follow-up work must not crash the loop).
        bool ran = false;
        var late = TestJob.Do(_ => ran = true);
        harness.Worker.Post(late);

        Assert.Equal(201, harness.Worker.DrainCompleted());
        Assert.All(jobs, j => Assert.True(j.Completed && j.Error is null));
        Assert.True(late.Completed);
        Assert.False(ran);
        Assert.IsType<WorkerStoppedException>(late.Error);
        harness.Dispose();

        // Clean close: checkpointed into the data file and the log deleted.
        Assert.False(File.Exists(LogFileSync.LogPathFor(Path.Combine(_dir.Path, StorageWorker.DataFileName))));
        using var reopened = StorageHarness.OpenDirect(_dir.Path);
        Assert.Equal(200, reopened.GetCollection("t").Count());
    }

    [Fact]
    public void A_read_only_group_needs_no_commit()
    {
        using var harness = new StorageHarness(_dir.Path);
        harness.Run(TestJob.Do(db => db.GetCollection("t").Insert(Doc(7))));
        var committed = harness.Worker.GroupsCommitted;

        var read = harness.Run(new TestJob(db => db.GetCollection("t").FindById(7)?["v"].AsString, writes: false));

        Assert.Equal("value 7", read.Result);
        Assert.Equal(committed, harness.Worker.GroupsCommitted);
    }
}
