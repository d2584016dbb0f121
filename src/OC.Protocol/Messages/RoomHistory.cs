using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// ROOM_HISTORY (0x0062), client → appliance: one page of a room's stream, for a member (or a
/// former member, up to where they left).
/// <code>u32 roomId, u64 beforeSeq (0 = from the newest), u16 limit (1..500)</code>
/// Reply: ROOM_HISTORY_PAGE.
/// </summary>
public readonly record struct RoomHistoryRequest(uint RoomId, ulong BeforeSeq, ushort Limit)
{
    public static void Write(ByteBuffer buffer, uint requestId, in RoomHistoryRequest request)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomHistory, requestId);
        w.WriteU32(request.RoomId);
        w.WriteU64(request.BeforeSeq);
        w.WriteU16(request.Limit);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out RoomHistoryRequest request)
    {
        var r = new PayloadReader(payload);
        request = new RoomHistoryRequest(r.ReadU32(), r.ReadU64(), r.ReadU16());
        return r.Done;
    }
}

/// <summary>
/// ROOM_HISTORY_PAGE (0x0063), the reply to ROOM_HISTORY: entries oldest first, and whether older
/// ones the asker may read exist (ask again with beforeSeq = the first seq of this page).
/// <code>u32 roomId, u8 more (0/1), u16 count, count × (the fields of ROOM_MESSAGE)</code>
/// </summary>
public static class RoomHistoryPage
{
    public static FrameWriter Begin(ByteBuffer buffer, uint requestId, uint roomId, bool more, int count)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomHistoryPage, requestId);
        w.WriteU32(roomId);
        w.WriteU8(more ? (byte)1 : (byte)0);
        w.WriteU16((ushort)count);
        return w;
    }

    public static void WriteEntry(ref FrameWriter w, ulong seq, long timeUnixMs, uint roomId, uint from, RoomMessageKind kind, uint subject,
        ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> utf8Text) =>
        RoomMessage.WriteFields(ref w, seq, timeUnixMs, roomId, from, kind, subject, messageId, utf8Text);

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint roomId, out bool more, out List<RoomMessage> messages)
    {
        var r = new PayloadReader(payload);
        roomId = r.ReadU32();
        more = r.ReadU8() != 0;
        int count = r.ReadU16();
        messages = new List<RoomMessage>(r.Capacity(count, RoomMessage.MinBytes));
        for (int i = 0; i < count && r.Ok; i++) messages.Add(RoomMessage.ReadFields(ref r));
        return r.Done;
    }
}
