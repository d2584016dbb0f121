using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// LOGIN_START (0x0012), client → appliance: the SCRAM client-first-message and the name of the
/// device the session is for, shown by SESSIONS (e.g. "laptop"; <c>oc</c> sends the host name).
/// <code>string clientFirstMessage (≤ 1024 bytes) [, string device (≤ 64 bytes)]</code>
/// Reply: LOGIN_CHALLENGE. Without the device field (an older client) the device is empty.
/// </summary>
public readonly record struct LoginStart(string ClientFirst, string Device)
{
    /// <summary>Device names up to this many bytes parse, so that a long one gets a clear InvalidArgument (the limit is 64) instead of a closed connection.</summary>
    public const int ParseDeviceBytes = 256;

    public static void Write(ByteBuffer buffer, uint requestId, in LoginStart start)
    {
        var w = FrameWriter.Begin(buffer, FrameType.LoginStart, requestId);
        w.WriteString(start.ClientFirst);
        w.WriteString(start.Device);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out LoginStart start)
    {
        var r = new PayloadReader(payload);
        string clientFirst = r.ReadString(ProtocolLimits.MaxScramMessageBytes);
        string device = r.Ok && r.Remaining > 0 ? r.ReadString(ParseDeviceBytes) : "";
        start = new LoginStart(clientFirst, device);
        return r.Done;
    }
}
