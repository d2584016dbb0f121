using System.Buffers;
using OC.Appliance.Protocol;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>The loop's view of one upload: who streams it and how far (docs/protocol.md, "Files").</summary>
internal sealed class FileUpload(ClientSession session, ulong fileId, int to, long size, long offset, int credit)
{
    public ClientSession Session { get; } = session;
    public ulong FileId { get; } = fileId;
    public int To { get; } = to;
    public long Size { get; } = size;

    /// <summary>The offset the next FILE_CHUNK must have.</summary>
    public long Next { get; set; } = offset;

    /// <summary>Flushed to disk and recorded: where a resume starts.</summary>
    public long Confirmed { get; set; } = offset;

    /// <summary>Written to the file by the worker (confirmed or not).</summary>
    public long Written { get; set; } = offset;

    /// <summary>Where the credit last announced ends (confirmed + credit): no chunk may go past it.</summary>
    public long Limit { get; set; } = offset + credit;
}

/// <summary>The loop's view of one download on one connection, paced by FILE_ACK.</summary>
internal sealed class FileDownload(ClientSession session, ulong fileId, long size, long offset, bool recipient)
{
    public ClientSession Session { get; } = session;
    public ulong FileId { get; } = fileId;
    public long Size { get; } = size;
    public bool Recipient { get; } = recipient;

    /// <summary>The next offset to read (reads posted up to here).</summary>
    public long Next { get; set; } = offset;

    /// <summary>What the client said it has (FILE_ACK).</summary>
    public long Acked { get; set; } = offset;

    /// <summary>Bytes of reads posted to the file worker and not back yet.</summary>
    public long BytesInFlight { get; set; }
    public bool Cancelled { get; set; }
}

internal sealed class OfferJob(RequestRouter router, ClientSession session, uint requestId, FileOffer offer, int from) : FileJob
{
    public ClientSession Session => session;
    public uint RequestId => requestId;
    public FileOffer Offer => offer;
    public int From => from;
    public OfferResult Result { get; private set; }
    public FileEntry Entry { get; private set; }

    internal override void Execute(FileStore store)
    {
        Result = store.Offer(from, (int)offer.To, offer.Name, (long)offer.Size, offer.Sha256, offer.HashAtEnd, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (Result.Record is { } record) Entry = record.ToEntry();
    }

    internal override void Complete() => router.OnOfferCompleted(this);
}

/// <summary>
/// The buffers of chunks on their way between the loop and the file worker. Not ArrayPool.Shared:
/// it keeps only a few dozen arrays of a size, and an upload has its whole credit (8 MiB: 32
/// chunks of 256 KiB) in flight, so most rents missed it and allocated on the large-object heap.
/// </summary>
internal static class ChunkBuffers
{
    public static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 1024 * 1024, maxArraysPerBucket: 256);
}

/// <summary>One FILE_CHUNK, its data in a rented array, written (and maybe confirmed) on the worker.</summary>
internal sealed class ChunkJob : FileJob
{
    private readonly RequestRouter _router;
    private readonly byte[] _data;
    private readonly int _length;

    public ChunkJob(RequestRouter router, FileUpload upload, long offset, ReadOnlySpan<byte> data)
    {
        _router = router;
        Upload = upload;
        Offset = offset;
        _data = ChunkBuffers.Pool.Rent(data.Length);
        data.CopyTo(_data);
        _length = data.Length;
    }

    public RequestRouter Router => _router;
    public FileUpload Upload { get; }
    public long Offset { get; }
    public long End => Offset + _length;
    public WriteOutcome Outcome { get; private set; }
    public long Confirmed { get; private set; }
    public FileEntry Entry { get; private set; }

    internal override void Execute(FileStore store)
    {
        try
        {
            Outcome = store.Write(Upload.FileId, Offset, _data.AsSpan(0, _length), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), out var record);
            if (record is not null)
            {
                Confirmed = record.Confirmed;
                Entry = record.ToEntry();
            }
        }
        finally
        {
            ChunkBuffers.Pool.Return(_data);
        }
    }

    /// <summary>The worker caught up: confirms the upload up to what is written if it is due, and this job reports it; returns when the rest falls due (0: nothing left).</summary>
    internal long ConfirmIdle(FileStore store, long nowMs)
    {
        Confirmed = store.ConfirmIdle(Upload.FileId, nowMs, out long dueMs);
        return dueMs;
    }

    internal override void Complete() => _router.OnChunkCompleted(this);
}

/// <summary>FILE_SEAL on the worker, after every chunk of the upload posted before it.</summary>
internal sealed class SealJob(RequestRouter router, ClientSession session, uint requestId, int user, FileSeal seal) : FileJob
{
    public ClientSession Session => session;
    public uint RequestId => requestId;
    public ulong FileId => seal.FileId;
    public SealOutcome Outcome { get; private set; }
    public FileEntry Entry { get; private set; }

    internal override void Execute(FileStore store)
    {
        Outcome = store.Seal(user, seal.FileId, seal.Sha256, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), out var record);
        if (record is not null) Entry = record.ToEntry();
    }

    internal override void Complete() => router.OnSealCompleted(this);
}

internal sealed class ListFilesJob(RequestRouter router, ClientSession session, uint requestId, int user, int peer) : FileJob
{
    public ClientSession Session => session;
    public uint RequestId => requestId;
    public List<FileEntry> Entries { get; private set; } = [];

    internal override void Execute(FileStore store) => Entries = store.List(user, peer);

    internal override void Complete() => router.OnListFilesCompleted(this);
}

internal sealed class GetFileJob(RequestRouter router, ClientSession session, uint requestId, int user, ulong fileId, ulong offset) : FileJob
{
    public ClientSession Session => session;
    public uint RequestId => requestId;
    public ulong FileId => fileId;
    public ulong Offset => offset;
    public int User => user;
    public FileEntry? Entry { get; private set; }

    internal override void Execute(FileStore store)
    {
        var record = store.FindReadable(user, fileId);
        Entry = record?.ToEntry();
        if (record is not null && record.Size == 0 && record.To == user) store.MarkFetched(user, fileId);
    }

    internal override void Complete() => router.OnGetFileCompleted(this);
}

/// <summary>One FILE_DATA's worth of a download, read on the worker into a rented array.</summary>
internal sealed class ReadJob(RequestRouter router, FileDownload download, long offset, int count) : FileJob
{
    public FileDownload Download => download;
    public long Offset => offset;
    public byte[] Data { get; private set; } = [];
    public int Count => count;

    internal override void Execute(FileStore store)
    {
        Data = ChunkBuffers.Pool.Rent(count);
        store.Read(download.FileId, offset, Data.AsSpan(0, count));
    }

    internal override void Complete() => router.OnReadCompleted(this);

    public void Release()
    {
        if (Data.Length > 0) ChunkBuffers.Pool.Return(Data);
        Data = [];
    }
}

/// <summary>At a session going live: the complete files to the user not yet downloaded, as FILE_RECEIVED.</summary>
internal sealed class UnfetchedJob(RequestRouter router, ClientSession session, int user) : FileJob
{
    public ClientSession Session => session;
    public List<FileEntry> Entries { get; private set; } = [];

    internal override void Execute(FileStore store) => Entries = store.Unfetched(user);

    internal override void Complete() => router.OnUnfetchedCompleted(this);
}

internal sealed class MarkFetchedJob(int user, ulong fileId) : FileJob
{
    internal override void Execute(FileStore store) => store.MarkFetched(user, fileId);

    internal override void Complete() { }
}

internal sealed class SweepJob : FileJob
{
    internal override void Execute(FileStore store) => store.Sweep(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    internal override void Complete() { }
}

/// <summary>An upload's connection let go of it (closed): confirm what was written and free its write buffers until a resume.</summary>
internal sealed class ReleaseUploadJob(ulong fileId) : FileJob
{
    internal override void Execute(FileStore store) => store.Release(fileId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    internal override void Complete() { }
}

/// <summary>An upload confirmed by the worker while idle (its unconfirmed tail fell due); reports the offset.</summary>
internal sealed class IdleConfirmJob(RequestRouter router, FileUpload upload, long confirmed) : FileJob
{
    internal override void Execute(FileStore store) { }

    internal override void Complete() => router.OnUploadConfirmed(upload, confirmed);
}
