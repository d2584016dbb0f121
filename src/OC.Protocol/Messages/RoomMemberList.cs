using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>One member of a room, with presence as the appliance knows it (a live session).</summary>
public readonly record struct RoomMember(uint OcNumber, string Nick, bool Online, bool Owner);

/// <summary>
/// ROOM_MEMBER_LIST (0x005E), the reply to ROOM_MEMBERS: the members ordered by OC number.
/// <code>u32 roomId, u16 count, then count × (u32 ocNumber, string nick, u8 online, u8 owner)</code>
/// </summary>
public static class RoomMemberList
{
    private const int MinEntryBytes = 4 + 2 + 1 + 1;

    public static void Write(ByteBuffer buffer, uint requestId, uint roomId, IReadOnlyList<RoomMember> members)
    {
        int count = Math.Min(members.Count, ushort.MaxValue);
        var w = FrameWriter.Begin(buffer, FrameType.RoomMemberList, requestId);
        w.WriteU32(roomId);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++)
        {
            w.WriteU32(members[i].OcNumber);
            w.WriteString(members[i].Nick);
            w.WriteU8(members[i].Online ? (byte)1 : (byte)0);
            w.WriteU8(members[i].Owner ? (byte)1 : (byte)0);
        }
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint roomId, out List<RoomMember> members)
    {
        var r = new PayloadReader(payload);
        roomId = r.ReadU32();
        int count = r.ReadU16();
        members = new List<RoomMember>(r.Capacity(count, MinEntryBytes));
        for (int i = 0; i < count && r.Ok; i++)
        {
            members.Add(new RoomMember(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadU8() != 0, r.ReadU8() != 0));
        }
        return r.Done;
    }
}
