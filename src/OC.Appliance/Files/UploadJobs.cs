using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Files;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

internal sealed class OfferJob(UploadsHandler handler, ClientSession session, uint requestId, FileOffer offer, int from)
    : RequestJob<FileStore>(session, requestId)
{
    public OfferResult Result { get; private set; }
    public FileEntry Entry { get; private set; }

    // A 0-byte file completes at its offer: the recipient (or the room) hears of it even if the sender left.
    protected override bool ActsWhenClosed => true;

    internal override void Execute(FileStore store)
    {
        Result = offer.ToRoom
            ? store.Offer(from, 0, offer.Name, (long)offer.Size, offer.Sha256, offer.HashAtEnd, store.NowMs, room: (int)offer.To)
            : store.Offer(from, (int)offer.To, offer.Name, (long)offer.Size, offer.Sha256, offer.HashAtEnd, store.NowMs);
        if (Result.Record is { } record) Entry = record.ToEntry();
    }

    protected override void OnCompleted() => handler.OnOffered(this);
}

/// <summary>One FILE_CHUNK, its data in a rented array, written on the worker (a stream frame: no request, no reply).</summary>
internal sealed class ChunkJob : WorkerJob<FileStore>
{
    private readonly UploadsHandler _handler;
    private readonly byte[] _data;
    private readonly int _length;

    public ChunkJob(UploadsHandler handler, FileUpload upload, long offset, ReadOnlySpan<byte> data)
    {
        _handler = handler;
        Upload = upload;
        Offset = offset;
        _data = ChunkBuffers.Pool.Rent(data.Length);
        data.CopyTo(_data);
        _length = data.Length;
    }

    public FileUpload Upload { get; }
    public long Offset { get; }
    public WriteOutcome Outcome { get; private set; }

    /// <summary>The file, when this chunk finished the upload (complete or rejected).</summary>
    public FileEntry Entry { get; private set; }

    internal override void Execute(FileStore store)
    {
        try
        {
            Outcome = store.Write(Upload.FileId, Offset, _data.AsSpan(0, _length), store.NowMs, out var record);
            if (record is not null && Outcome is WriteOutcome.Complete or WriteOutcome.Rejected) Entry = record.ToEntry();
        }
        finally
        {
            ChunkBuffers.Pool.Return(_data);
        }
    }

    internal override void Complete() => _handler.OnChunkWritten(this);
}

/// <summary>FILE_SEAL on the worker, after every chunk of the upload posted before it.</summary>
internal sealed class SealJob(UploadsHandler handler, ClientSession session, uint requestId, int user, FileSeal seal)
    : RequestJob<FileStore>(session, requestId)
{
    public ulong FileId => seal.FileId;
    public SealOutcome Outcome { get; private set; }
    public FileEntry Entry { get; private set; }

    // The recipient hears of a sealed file even if the sender left right after sealing it.
    protected override bool ActsWhenClosed => true;

    internal override void Execute(FileStore store)
    {
        Outcome = store.Seal(user, seal.FileId, seal.Sha256, store.NowMs, out var record);
        if (record is not null) Entry = record.ToEntry();
    }

    protected override void OnCompleted() => handler.OnSealed(this);
}

/// <summary>An upload's connection let go of it (closed): confirm what was written and free its write buffers until a resume.</summary>
internal sealed class ReleaseUploadJob(ulong fileId) : WorkerJob<FileStore>
{
    internal override void Execute(FileStore store) => store.Release(fileId, store.NowMs);

    internal override void Complete() { }
}

internal sealed class SweepJob : WorkerJob<FileStore>
{
    internal override void Execute(FileStore store)
    {
        store.Sweep(store.NowMs);
        store.Expire(store.NowMs); // --retention (nothing without it)
    }

    internal override void Complete() { }
}
