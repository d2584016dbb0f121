using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// USER_INFO (0x0019), appliance → client, the reply to WHOAMI.
/// <code>uint32 ocNumber, string nick, string email, int64 createdUnixSeconds</code>
/// </summary>
public readonly record struct UserInfo(uint OcNumber, string Nick, string Email, long CreatedUnixSeconds)
{
    public static void Write(ByteBuffer buffer, uint requestId, in UserInfo info)
    {
        var w = FrameWriter.Begin(buffer, FrameType.UserInfo, requestId);
        w.WriteU32(info.OcNumber);
        w.WriteString(info.Nick);
        w.WriteString(info.Email);
        w.WriteI64(info.CreatedUnixSeconds);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out UserInfo info)
    {
        var r = new PayloadReader(payload);
        info = new UserInfo(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadString(ProtocolLimits.MaxEmailBytes), r.ReadI64());
        return r.Done;
    }
}
