using System.Diagnostics;
using LiteDB;
using OC.Appliance.Storage;
using Xunit.Abstractions;

namespace OC.Tests.Storage;

public sealed class StorageDurabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;

    public StorageDurabilityTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void When_a_job_completes_its_data_is_in_the_files_without_a_clean_close()
    {
        var live = _dir.Sub("live");
        var crashed = _dir.Sub("crashed");
        using var harness = new StorageHarness(live);

        // Copy the files at the moment the loop learns of the commit, while the worker keeps
        // the database open and un-checkpointed: what kill -9 at that moment would leave.
        var job = harness.Run(TestJob.Do(
            db => db.GetCollection("t").Insert(new BsonDocument { ["_id"] = 42, ["v"] = "durable" }),
            complete: _ =>
            {
                Directory.CreateDirectory(crashed);
                // Not oc.lock: it is empty, and held with an exclusive lock that File.Copy runs into.
                foreach (var file in Directory.GetFiles(live).Where(f => Path.GetFileName(f) != DataFolderLock.FileName))
                    File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
            }));
        Assert.Null(job.Error);

        // The commit is only in the write-ahead log until a checkpoint.
        Assert.True(File.Exists(Path.Combine(crashed, "oc-log.db")));
        using var copy = StorageHarness.OpenDirect(crashed);
        Assert.Equal("durable", copy.GetCollection("t").FindById(42)?["v"].AsString);
        Assert.Equal(harness.Worker.ApplianceId, AccountStore.GetOrCreateApplianceId(copy));
    }

    [Fact]
    public void Log_file_name_follows_LiteDB()
    {
        Assert.Equal(Path.Combine("/data", "oc-log.db"), LogFileSync.LogPathFor(Path.Combine("/data", "oc.db")));
    }

    /// <summary>
    /// A real full disk: a small tmpfs. The worker refuses the group while less than
    /// MinFreeBytes is free (LiteDB must never meet ENOSPC itself, see StorageWorker.MinFreeBytes). Mounting needs root on Linux; elsewhere the test
    /// returns early (xunit 2 has no runtime skip) and says so in its output.
    /// </summary>
    [Fact]
    public void A_full_disk_fails_the_group_and_the_worker_recovers_when_space_is_freed()
    {
        var mount = _dir.Sub("tmpfs");
        Directory.CreateDirectory(mount);
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || Exec("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount) != 0)
        {
            _output.WriteLine("not run: mounting a tmpfs needs root on Linux");
            return;
        }

        try
        {
            var data = Path.Combine(mount, "data");
            var filler = Path.Combine(mount, "filler");
            using (var harness = new StorageHarness(data, minFreeBytes: 512 * 1024))
            {
                FillDisk(filler);
                var big = TestJob.Do(db => db.GetCollection("t").Insert(new BsonDocument { ["_id"] = 1, ["blob"] = new byte[256 * 1024] }));
                harness.Run(big);
                Assert.IsType<DiskFullException>(big.Error);
                Assert.Contains("No space left", big.Error.Message, StringComparison.Ordinal);
                Assert.Equal(1, harness.Worker.Faults);

                File.Delete(filler);
                var later = harness.Run(TestJob.Do(db => db.GetCollection("t").Insert(new BsonDocument { ["_id"] = 2, ["v"] = "after" })));
                Assert.Null(later.Error);
                Assert.Equal(1, harness.Worker.Faults);
            }

            using var reopened = StorageHarness.OpenDirect(data);
            var ids = reopened.GetCollection("t").FindAll().Select(d => d["_id"].AsInt32).ToArray();
            Assert.Equal([2], ids);
        }
        finally
        {
            Exec("umount", mount);
        }
    }

    private static void FillDisk(string path)
    {
        // Unbuffered, so disposing does not retry a buffered write on the full disk.
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var size in new[] { 64 * 1024, 4096, 512 })
        {
            var chunk = new byte[size];
            try
            {
                while (true) stream.Write(chunk);
            }
            catch (IOException)
            {
                // full at this granularity; try a smaller one
            }
        }
    }

    private static int Exec(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no such program
        }
    }
}
