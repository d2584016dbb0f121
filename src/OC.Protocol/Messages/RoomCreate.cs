using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// ROOM_CREATE (0x0050): a new room, its creator its owner and first member. Answered with ROOM_INFO.
/// <code>string name, u8 open (1 = anyone may ROOM_JOIN, 0 = by invitation only)</code>
/// </summary>
public readonly record struct RoomCreate(string Name, bool Open)
{
    public static void Write(ByteBuffer buffer, uint requestId, in RoomCreate create)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomCreate, requestId);
        w.WriteString(create.Name);
        w.WriteU8(create.Open ? (byte)1 : (byte)0);
        w.End();
    }

    /// <summary>False for a payload of the wrong length, a name over 64 bytes or an <c>open</c> other than 0 or 1.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out RoomCreate create)
    {
        var r = new PayloadReader(payload);
        string name = r.ReadString(ProtocolLimits.MaxNickBytes);
        byte open = r.ReadU8();
        create = new RoomCreate(name, open == 1);
        return r.Done && open <= 1;
    }
}
