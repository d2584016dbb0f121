using OC.Appliance.Sessions;

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
