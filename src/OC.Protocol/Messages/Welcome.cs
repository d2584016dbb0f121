using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// WELCOME (0x0002), appliance → client, the reply to HELLO.
/// <code>uint16 version, uint32 maxPayload, uint32 idleTimeoutSeconds, uint32 maxInFlight,
/// string applianceName, string applianceId, string software</code>
/// A client sends nothing larger than maxPayload, keeps at most maxInFlight requests
/// unanswered, and sends something (PING will do) at least every idleTimeoutSeconds / 2.
/// </summary>
public readonly record struct Welcome(
    ushort Version,
    uint MaxPayload,
    uint IdleTimeoutSeconds,
    uint MaxInFlight,
    string ApplianceName,
    string ApplianceId,
    string Software)
{
    public static void Write(ByteBuffer buffer, uint requestId, in Welcome welcome)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Welcome, requestId);
        w.WriteU16(welcome.Version);
        w.WriteU32(welcome.MaxPayload);
        w.WriteU32(welcome.IdleTimeoutSeconds);
        w.WriteU32(welcome.MaxInFlight);
        w.WriteString(welcome.ApplianceName);
        w.WriteString(welcome.ApplianceId);
        w.WriteString(welcome.Software);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out Welcome welcome)
    {
        var r = new PayloadReader(payload);
        welcome = new Welcome(r.ReadU16(), r.ReadU32(), r.ReadU32(), r.ReadU32(), r.ReadString(256), r.ReadString(256), r.ReadString(256));
        return r.Done;
    }
}
