using System.Security.Cryptography;
using OC.Appliance.Files;

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
        Assert.Equal(0, store.ConfirmIdle(id, 1_100, out long due)); // 256 KiB, 100 ms after the offer: not yet
        Assert.Equal(1_250, due); // the worker wakes up then
        Assert.Equal(Chunk, store.ConfirmIdle(id, 1_250, out due)); // a quarter second
        Assert.Equal(0, due);

        long at = Chunk;
        for (int i = 0; i < 15; i++, at += Chunk) store.Write(id, at, content.AsSpan((int)at, Chunk), 1_260, out _);
        Assert.Equal(Chunk, store.ConfirmIdle(id, 1_270, out due)); // 3.75 MiB unconfirmed, 20 ms: not yet
        Assert.Equal(1_500, due);
        store.Write(id, at, content.AsSpan((int)at, Chunk), 1_280, out _);
        at += Chunk;
        Assert.Equal(at, store.ConfirmIdle(id, 1_290, out due)); // 4 MiB
        Assert.Equal(0, due);

        // The sidecar says so already (what a crash now would resume from).
        using var meta = File.OpenRead(Path.Combine(_dir.Path, "files", id.ToString("x16") + ".meta"));
        Assert.Equal(at, FileRecord.TryRead(meta)!.Confirmed);
    }
}
