using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// ROOM_RESPOND (0x0054): the answer to a room invitation. Accepting is answered with ROOM_INFO
/// (you are a member from now on), declining with OK (the inviter is not told).
/// <code>u32 roomId, u8 accept (1 = accept, 0 = decline)</code>
/// </summary>
public readonly record struct RoomRespond(uint RoomId, bool Accept)
{
    public static void Write(ByteBuffer buffer, uint requestId, in RoomRespond respond)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomRespond, requestId);
        w.WriteU32(respond.RoomId);
        w.WriteU8(respond.Accept ? (byte)1 : (byte)0);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out RoomRespond respond)
    {
        var r = new PayloadReader(payload);
        uint room = r.ReadU32();
        byte accept = r.ReadU8();
        respond = new RoomRespond(room, accept == 1);
        return r.Done && accept <= 1;
    }
}
