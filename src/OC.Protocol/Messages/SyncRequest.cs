using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// SYNC (0x0033): "send me every message of mine after this seq".
/// <code>u64 afterSeq [, u8 flags]</code>
/// Without the flags byte, flags are 0. Bit 0 (<see cref="FlagPeek"/>): **peek**, read the page
/// only: the session does not go live (no pushed messages, and it does not make its user online),
/// as a one-shot command needs (<c>oc history</c> moves its cursor with it). Other bits are refused.
/// </summary>
public readonly record struct SyncRequest(ulong AfterSeq, bool Peek = false)
{
    public const byte FlagPeek = 0x01;

    public static void Write(ByteBuffer buffer, uint requestId, SyncRequest request)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Sync, requestId);
        w.WriteU64(request.AfterSeq);
        // The plain SYNC stays 8 bytes, as every appliance version reads it.
        if (request.Peek) w.WriteU8(FlagPeek);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out SyncRequest request)
    {
        var r = new PayloadReader(payload);
        ulong after = r.ReadU64();
        byte flags = r.Ok && r.Remaining > 0 ? r.ReadU8() : (byte)0;
        request = new SyncRequest(after, (flags & FlagPeek) != 0);
        // Unknown flags are refused: they would change what the SYNC means.
        return r.Done && (flags & ~FlagPeek) == 0;
    }
}
