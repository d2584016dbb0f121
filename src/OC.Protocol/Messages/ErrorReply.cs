using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// ERROR (0x0003), appliance → client: the reply to a failed request (its request id), or
/// about the connection as a whole (request id 0, followed by the appliance closing it).
/// <code>uint16 code, uint32 retryAfterSeconds (0 = not applicable), string message (≤ 512 bytes)</code>
/// </summary>
public readonly record struct ErrorReply(ErrorCode Code, uint RetryAfterSeconds, string Message)
{
    public static void Write(ByteBuffer buffer, uint requestId, in ErrorReply error)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Error, requestId);
        w.WriteU16((ushort)error.Code);
        w.WriteU32(error.RetryAfterSeconds);
        w.WriteString(error.Message);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ErrorReply error)
    {
        var r = new PayloadReader(payload);
        error = new ErrorReply((ErrorCode)r.ReadU16(), r.ReadU32(), r.ReadString(ProtocolLimits.MaxErrorTextBytes));
        return r.Done;
    }
}
