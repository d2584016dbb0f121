using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// FILE_ACCEPTED (0x0041), appliance → client, the reply to FILE_OFFER.
/// <code>u64 fileId, u64 offset, u32 credit</code>
/// <c>offset</c>: bytes already stored and confirmed (0 for a new upload; the confirmed offset on a
/// resume; the size when the file is already complete). The client may send chunks up to
/// <c>offset + credit</c>.
/// </summary>
public readonly record struct FileAccepted(ulong FileId, ulong Offset, uint Credit)
{
    public static void Write(ByteBuffer buffer, uint requestId, in FileAccepted accepted)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileAccepted, requestId);
        w.WriteU64(accepted.FileId);
        w.WriteU64(accepted.Offset);
        w.WriteU32(accepted.Credit);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FileAccepted accepted)
    {
        var r = new PayloadReader(payload);
        accepted = new FileAccepted(r.ReadU64(), r.ReadU64(), r.ReadU32());
        return r.Done;
    }
}
