using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>The state of an upload in FILE_PROGRESS and of a file in FILE_ENTRIES.</summary>
public enum FileState : byte
{
    Uploading = 0,
    Complete = 1,
    Rejected = 2,
}

/// <summary>
/// FILE_PROGRESS (0x0043), event to the uploading session.
/// <code>u64 fileId, u64 confirmed, u32 credit, u8 state</code>
/// <c>confirmed</c>: bytes flushed to the appliance's disk; the client may send up to
/// <c>confirmed + credit</c>. State Complete: stored and SHA-256 verified; Rejected: the hash did
/// not match and the upload was deleted.
/// </summary>
public readonly record struct FileProgress(ulong FileId, ulong Confirmed, uint Credit, FileState State)
{
    public static void Write(ByteBuffer buffer, in FileProgress progress)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileProgress, Frame.NoRequest);
        w.WriteU64(progress.FileId);
        w.WriteU64(progress.Confirmed);
        w.WriteU32(progress.Credit);
        w.WriteU8((byte)progress.State);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FileProgress progress)
    {
        var r = new PayloadReader(payload);
        progress = new FileProgress(r.ReadU64(), r.ReadU64(), r.ReadU32(), (FileState)r.ReadU8());
        return r.Done && progress.State <= FileState.Rejected;
    }
}
