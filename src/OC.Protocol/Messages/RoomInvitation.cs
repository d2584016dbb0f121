using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// An invitation to a room waiting for an answer. ROOM_INVITATION (0x0053) is an event with one
/// entry, pushed to every session of the one invited; ROOM_INVITATION_LIST (0x0056, the reply to
/// ROOM_INVITATIONS) lists the invitations to you, oldest first.
/// <code>u32 roomId, string roomName, u32 from (OC number), string fromNick, i64 timeUnixMs</code>
/// <code>ROOM_INVITATION_LIST: u16 count, then count × the entry</code>
/// </summary>
public readonly record struct RoomInvitation(uint RoomId, string RoomName, uint From, string FromNick, long TimeUnixMs)
{
    private const int MinBytes = 4 + 2 + 4 + 2 + 8;

    public static void WriteEvent(ByteBuffer buffer, in RoomInvitation invitation)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomInvitation, Frame.NoRequest);
        WriteFields(ref w, invitation);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out RoomInvitation invitation)
    {
        var r = new PayloadReader(payload);
        invitation = ReadFields(ref r);
        return r.Done;
    }

    public static void WriteList(ByteBuffer buffer, uint requestId, IReadOnlyList<RoomInvitation> invitations)
    {
        int count = Math.Min(invitations.Count, ProtocolLimits.MaxRelationEntries);
        var w = FrameWriter.Begin(buffer, FrameType.RoomInvitationList, requestId);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++) WriteFields(ref w, invitations[i]);
        w.End();
    }

    public static bool TryReadList(ReadOnlySpan<byte> payload, out List<RoomInvitation> invitations)
    {
        var r = new PayloadReader(payload);
        int count = r.ReadU16();
        invitations = new List<RoomInvitation>(r.Capacity(count, MinBytes));
        for (int i = 0; i < count && r.Ok; i++) invitations.Add(ReadFields(ref r));
        return r.Done;
    }

    private static void WriteFields(ref FrameWriter w, in RoomInvitation invitation)
    {
        w.WriteU32(invitation.RoomId);
        w.WriteString(invitation.RoomName);
        w.WriteU32(invitation.From);
        w.WriteString(invitation.FromNick);
        w.WriteI64(invitation.TimeUnixMs);
    }

    private static RoomInvitation ReadFields(ref PayloadReader r) =>
        new(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadI64());
}
