using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// One room as its members see it. ROOM_INFO (0x0051) answers ROOM_CREATE, ROOM_JOIN and an accepting
/// ROOM_RESPOND; ROOMS (0x005C, the reply to ROOM_LIST) lists the rooms you are a member of, by id.
/// <code>u32 roomId, string name, u32 owner (OC number), u8 open (0/1), u16 members</code>
/// <code>ROOMS: u16 count, then count × the fields above</code>
/// </summary>
public readonly record struct RoomInfo(uint RoomId, string Name, uint Owner, bool Open, ushort Members)
{
    /// <summary>The smallest entry on the wire (an empty name): u32, u16, u32, u8, u16.</summary>
    internal const int MinBytes = 4 + 2 + 4 + 1 + 2;

    public static void Write(ByteBuffer buffer, uint requestId, in RoomInfo room)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomInfo, requestId);
        WriteFields(ref w, room);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out RoomInfo room)
    {
        var r = new PayloadReader(payload);
        room = ReadFields(ref r);
        return r.Done;
    }

    public static void WriteList(ByteBuffer buffer, uint requestId, IReadOnlyList<RoomInfo> rooms)
    {
        int count = Math.Min(rooms.Count, ushort.MaxValue);
        var w = FrameWriter.Begin(buffer, FrameType.Rooms, requestId);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++) WriteFields(ref w, rooms[i]);
        w.End();
    }

    public static bool TryReadList(ReadOnlySpan<byte> payload, out List<RoomInfo> rooms)
    {
        var r = new PayloadReader(payload);
        int count = r.ReadU16();
        rooms = new List<RoomInfo>(r.Capacity(count, MinBytes));
        for (int i = 0; i < count && r.Ok; i++) rooms.Add(ReadFields(ref r));
        return r.Done;
    }

    private static void WriteFields(ref FrameWriter w, in RoomInfo room)
    {
        w.WriteU32(room.RoomId);
        w.WriteString(room.Name);
        w.WriteU32(room.Owner);
        w.WriteU8(room.Open ? (byte)1 : (byte)0);
        w.WriteU16(room.Members);
    }

    private static RoomInfo ReadFields(ref PayloadReader r) =>
        new(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadU32(), r.ReadU8() != 0, r.ReadU16());
}
