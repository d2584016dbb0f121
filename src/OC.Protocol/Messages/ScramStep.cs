using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// The three SCRAM-SHA-256 steps carry one RFC 5802 message each, as text:
/// LOGIN_START (0x0012, client-first-message, e.g. "n,,n=123456,r=NONCE"),
/// LOGIN_CHALLENGE (0x0013, server-first-message, "r=…,s=…,i=…"),
/// LOGIN_FINISH (0x0014, client-final-message, "c=biws,r=…,p=…").
/// <code>string message (≤ 1024 bytes)</code>
/// </summary>
public static class ScramStep
{
    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, string message)
    {
        var w = FrameWriter.Begin(buffer, type, requestId);
        w.WriteString(message);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out string message)
    {
        var r = new PayloadReader(payload);
        message = r.ReadString(ProtocolLimits.MaxScramMessageBytes);
        return r.Done;
    }
}
