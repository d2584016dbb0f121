using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Files;

namespace OC.Tests.Storage;

/// <summary>
/// The file worker's idle confirm on a fake clock: a paused upload is confirmed when its confirm
/// falls due by that clock, by the worker waking on its own (the clock's timer ends its idle wait),
/// with no job posted and no real time waited for. FileStoreTests cover which confirm is due when.
/// </summary>
public sealed class FileWorkerTests : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly SemaphoreSlim _woken = new(0);
    private readonly Queue<UploadProgress> _progress = new();
    private readonly FileWorker _worker;

    public FileWorkerTests()
    {
        // An idle confirm an hour after the last write: a worker that waited for it in real time
        // would miss the test's deadline by far.
        _worker = new FileWorker(_dir.Path, new FileLimits { ConfirmIdleInterval = TimeSpan.FromHours(1) }, () => _woken.Release(), _time);
        _worker.OnProgress = _progress.Enqueue;
    }

    public void Dispose()
    {
        _worker.Dispose();
        _woken.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_paused_upload_is_confirmed_when_the_fake_clock_reaches_its_confirm()
    {
        var content = RandomNumberGenerator.GetBytes(4 * Chunk);
        var upload = new FirstChunkJob(content);
        _worker.Post(upload);
        WaitFor(() => upload.Completed);
        ulong id = upload.Id;
        // Written, not confirmed: 256 KiB (under 4 MiB), written just now.
        Assert.Equal(new UploadProgress(id, Chunk, 0), NextProgress());

        _time.Advance(TimeSpan.FromMinutes(30));
        var probe = new ProbeJob();
        _worker.Post(probe); // a group half an hour on: the worker has caught up, and nothing is due yet
        WaitFor(() => probe.Completed);
        Assert.Empty(_progress);

        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(new UploadProgress(id, Chunk, Chunk), NextProgress());
    }

    /// <summary>Completes what the worker handed back until <paramref name="done"/> (as the loop does when woken).</summary>
    private void WaitFor(Func<bool> done)
    {
        while (true)
        {
            _worker.DrainCompleted();
            if (done()) return;
            // Only a hang misses this: the worker wakes the "loop" as soon as a group or an idle pass has finished.
            Assert.True(_woken.Wait(TimeSpan.FromSeconds(30)), "the file worker did not answer");
        }
    }

    private UploadProgress NextProgress()
    {
        WaitFor(() => _progress.Count > 0);
        return _progress.Dequeue();
    }

    /// <summary>Offers a file and writes its first chunk, at the worker's "now".</summary>
    private sealed class FirstChunkJob(byte[] content) : WorkerJob<FileStore>
    {
        public ulong Id { get; private set; }
        public bool Completed { get; private set; }

        internal override void Execute(FileStore store)
        {
            var offer = store.Offer(1, 2, "f.bin", content.Length, SHA256.HashData(content), hashAtEnd: false, store.NowMs);
            Id = offer.Record!.Id;
            Assert.Equal(WriteOutcome.Written, store.Write(Id, 0, content.AsSpan(0, Chunk), store.NowMs, out _));
        }

        internal override void Complete()
        {
            Assert.Null(Error);
            Completed = true;
        }
    }

    private sealed class ProbeJob : WorkerJob<FileStore>
    {
        public bool Completed { get; private set; }

        internal override bool Writes => false;

        internal override void Execute(FileStore store) { }

        internal override void Complete() => Completed = true;
    }
}
