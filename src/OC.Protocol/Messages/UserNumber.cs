using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// Requests and events whose payload is one OC number: FIND_USER (0x0020), FRIEND_ADD (0x0022),
/// FRIEND_REMOVE (0x0023), FRIEND_REMOVED (0x0027), and on the admin socket ADMIN_DELETE_USER (0x007B).
/// <code>u32 ocNumber</code>
/// </summary>
public static class UserNumber
{
    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, uint ocNumber)
    {
        var w = FrameWriter.Begin(buffer, type, requestId);
        w.WriteU32(ocNumber);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint ocNumber)
    {
        var r = new PayloadReader(payload);
        ocNumber = r.ReadU32();
        return r.Done;
    }
}
