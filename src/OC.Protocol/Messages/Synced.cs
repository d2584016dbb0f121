using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// SYNCED (0x0034), the reply to SYNC, after the MESSAGE events it caused.
/// <code>u64 lastSeq, u8 more (0/1)</code>
/// lastSeq is the seq of the last message sent for this SYNC (or the SYNC's own afterSeq if none).
/// more = 1: the page was full; SYNC again from lastSeq. more = 0: the session is now live.
/// </summary>
public readonly record struct Synced(ulong LastSeq, bool More)
{
    public static void Write(ByteBuffer buffer, uint requestId, in Synced synced)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Synced, requestId);
        w.WriteU64(synced.LastSeq);
        w.WriteU8(synced.More ? (byte)1 : (byte)0);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out Synced synced)
    {
        var r = new PayloadReader(payload);
        synced = new Synced(r.ReadU64(), r.ReadU8() != 0);
        return r.Done;
    }
}
