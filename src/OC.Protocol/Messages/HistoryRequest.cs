using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// HISTORY (0x0036), client → appliance: one page of the conversation with <c>Peer</c>.
/// <code>u32 peer, u64 beforeSeq (0 = from the newest), u16 limit (1..500)</code>
/// Reply: HISTORY_PAGE.
/// </summary>
public readonly record struct HistoryRequest(uint Peer, ulong BeforeSeq, ushort Limit)
{
    public static void Write(ByteBuffer buffer, uint requestId, in HistoryRequest request)
    {
        var w = FrameWriter.Begin(buffer, FrameType.History, requestId);
        w.WriteU32(request.Peer);
        w.WriteU64(request.BeforeSeq);
        w.WriteU16(request.Limit);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out HistoryRequest request)
    {
        var r = new PayloadReader(payload);
        request = new HistoryRequest(r.ReadU32(), r.ReadU64(), r.ReadU16());
        return r.Done;
    }
}
