using System.Security.Cryptography;
using OC.Appliance.Storage.Files;

namespace OC.Tests.Storage;

/// <summary>The file store on a real folder, driven with explicit clock values.</summary>
public sealed class FileStoreTests : IDisposable
{
    private const int Chunk = 256 * 1024;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void When_the_worker_caught_up_an_upload_is_confirmed_after_4_MiB_or_a_quarter_second()
    {
        using var store = new FileStore(_dir.Path, new FileLimits());
        var content = RandomNumberGenerator.GetBytes(40 * Chunk);
        var offer = store.Offer(1, 2, "f.bin", content.Length, SHA256.HashData(content), hashAtEnd: false, nowMs: 1_000);
        ulong id = offer.Record!.Id;

        Assert.Equal(WriteOutcome.Written, store.Write(id, 0, content.AsSpan(0, Chunk), 1_000, out _));
        Assert.Equal(new UploadProgress(id, Chunk, 0), Report(store, 1_100)); // 256 KiB, 100 ms after the offer: not yet
        Assert.Equal(1_250, store.NextConfirmDueMs); // the worker wakes up then
        Assert.Equal(new UploadProgress(id, Chunk, Chunk), Report(store, 1_250)); // a quarter second (idle: nothing written since)
        Assert.Equal(0, store.NextConfirmDueMs);

        long at = Chunk;
        for (int i = 0; i < 15; i++, at += Chunk) store.Write(id, at, content.AsSpan((int)at, Chunk), 1_260, out _);
        Assert.Equal(new UploadProgress(id, at, Chunk), Report(store, 1_270)); // 3.75 MiB unconfirmed, 20 ms: not yet
        Assert.Equal(1_500, store.NextConfirmDueMs);
        store.Write(id, at, content.AsSpan((int)at, Chunk), 1_280, out _);
        at += Chunk;
        Assert.Equal(new UploadProgress(id, at, at), Report(store, 1_290)); // 4 MiB
        Assert.Equal(0, store.NextConfirmDueMs);

        // The sidecar says so already (what a crash now would resume from).
        using var meta = File.OpenRead(Path.Combine(_dir.Path, "files", id.ToString("x16") + ".meta"));
        Assert.Equal(at, FileRecord.TryRead(meta)!.Confirmed);
    }

    [Fact]
    public void While_jobs_wait_written_bytes_are_reported_and_the_confirm_waits_for_its_time()
    {
        using var store = new FileStore(_dir.Path, new FileLimits());
        var content = RandomNumberGenerator.GetBytes(2 * Chunk);
        ulong id = store.Offer(1, 2, "f.bin", content.Length, SHA256.HashData(content), hashAtEnd: false, nowMs: 1_000).Record!.Id;
        store.Write(id, 0, content.AsSpan(0, Chunk), 1_000, out _);

        var reports = new List<UploadProgress>();
        store.ReportProgress(caughtUp: false, 5_000, reports); // long due, but the worker is busy: credit only
        Assert.Equal([new UploadProgress(id, Chunk, 0)], reports);
        Assert.Equal(1_250, store.NextConfirmDueMs);

        reports.Clear();
        store.ReportProgress(caughtUp: false, 5_000, reports); // nothing written since: nothing to say
        Assert.Empty(reports);
        Assert.Equal(new UploadProgress(id, Chunk, Chunk), Report(store, 5_000)); // caught up: confirmed
    }

    [Fact]
    public void A_finished_upload_is_not_reported()
    {
        using var store = new FileStore(_dir.Path, new FileLimits());
        var content = RandomNumberGenerator.GetBytes(Chunk);
        ulong id = store.Offer(1, 2, "f.bin", content.Length, SHA256.HashData(content), hashAtEnd: false, nowMs: 1_000).Record!.Id;
        Assert.Equal(WriteOutcome.Complete, store.Write(id, 0, content, 1_000, out _));

        var reports = new List<UploadProgress>();
        store.ReportProgress(caughtUp: true, 2_000, reports);
        Assert.Empty(reports);
        Assert.Equal(0, store.NextConfirmDueMs);
    }

    private static UploadProgress Report(FileStore store, long nowMs)
    {
        var reports = new List<UploadProgress>();
        store.ReportProgress(caughtUp: true, nowMs, reports);
        return Assert.Single(reports);
    }
}
