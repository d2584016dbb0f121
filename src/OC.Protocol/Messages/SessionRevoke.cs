using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// SESSION_REVOKE (0x001C), client → appliance: end one of your sessions by its id from SESSION_LIST.
/// <code>u32 sessionId</code>
/// Reply: OK, or ERROR SessionNotFound (no session of yours has that id).
/// </summary>
public static class SessionRevoke
{
    public static void Write(ByteBuffer buffer, uint requestId, uint sessionId)
    {
        var w = FrameWriter.Begin(buffer, FrameType.SessionRevoke, requestId);
        w.WriteU32(sessionId);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint sessionId)
    {
        var r = new PayloadReader(payload);
        sessionId = r.ReadU32();
        return r.Done;
    }
}
