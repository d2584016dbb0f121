using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>What happened to a room's membership (docs/protocol.md, "Rooms"). Wire values; never renumber.</summary>
public enum RoomEventKind : byte
{
    /// <summary>Subject joined (an open room, or an accepted invitation; actor = who invited, else the subject).</summary>
    Joined = 1,
    /// <summary>Subject left.</summary>
    Left = 2,
    /// <summary>Subject was kicked by actor (the owner).</summary>
    Kicked = 3,
    /// <summary>Subject is the owner now; actor was the owner before.</summary>
    OwnerChanged = 4,
}

/// <summary>
/// ROOM_EVENT (0x005F), pushed with request id 0 to every session of every member after a change
/// of membership is committed (and to the one who left or was kicked).
/// <code>u32 roomId, string roomName, u8 kind, u32 subject, string subjectNick, u32 actor</code>
/// </summary>
public readonly record struct RoomEvent(uint RoomId, string RoomName, RoomEventKind Kind, uint Subject, string SubjectNick, uint Actor)
{
    public static void Write(ByteBuffer buffer, in RoomEvent e)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomEvent, Frame.NoRequest);
        w.WriteU32(e.RoomId);
        w.WriteString(e.RoomName);
        w.WriteU8((byte)e.Kind);
        w.WriteU32(e.Subject);
        w.WriteString(e.SubjectNick);
        w.WriteU32(e.Actor);
        w.End();
    }

    /// <summary>False for a payload of the wrong length or an unknown kind.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out RoomEvent e)
    {
        var r = new PayloadReader(payload);
        e = new RoomEvent(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), (RoomEventKind)r.ReadU8(), r.ReadU32(),
            r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadU32());
        return r.Done && e.Kind is >= RoomEventKind.Joined and <= RoomEventKind.OwnerChanged;
    }
}
