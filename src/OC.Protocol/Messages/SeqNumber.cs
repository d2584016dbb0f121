using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// Frames whose payload is one sequence number: SYNC (0x0033, request: "I have everything up to
/// seq"; its optional flags byte is <see cref="SyncRequest"/>'s) and DELIVERED (0x0035, event to the sender: message seq reached a session of its recipient).
/// <code>u64 seq</code>
/// </summary>
public static class SeqNumber
{
    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, ulong seq)
    {
        var w = FrameWriter.Begin(buffer, type, requestId);
        w.WriteU64(seq);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ulong seq)
    {
        var r = new PayloadReader(payload);
        seq = r.ReadU64();
        return r.Done;
    }
}
