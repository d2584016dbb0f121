using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// Room requests about the room alone: ROOM_JOIN (0x0057), ROOM_LEAVE (0x0058), ROOM_MEMBERS (0x005D).
/// <code>u32 roomId</code>
/// Room requests about a room and a user: ROOM_INVITE (0x0052), ROOM_KICK (0x0059), ROOM_OWNER (0x005A).
/// <code>u32 roomId, u32 ocNumber</code>
/// </summary>
public static class RoomRequest
{
    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, uint roomId)
    {
        var w = FrameWriter.Begin(buffer, type, requestId);
        w.WriteU32(roomId);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint roomId)
    {
        var r = new PayloadReader(payload);
        roomId = r.ReadU32();
        return r.Done;
    }

    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, uint roomId, uint ocNumber)
    {
        var w = FrameWriter.Begin(buffer, type, requestId);
        w.WriteU32(roomId);
        w.WriteU32(ocNumber);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint roomId, out uint ocNumber)
    {
        var r = new PayloadReader(payload);
        roomId = r.ReadU32();
        ocNumber = r.ReadU32();
        return r.Done;
    }
}
