using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// RESUME (0x0016), client → appliance: log in with a session token from an earlier LOGGED_IN.
/// <code>bytes sessionToken (32)</code>
/// Reply: LOGGED_IN (with an empty serverFinal and the same token), or ERROR InvalidSession.
/// </summary>
public readonly record struct Resume(byte[] SessionToken)
{
    public static void Write(ByteBuffer buffer, uint requestId, in Resume resume)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Resume, requestId);
        w.WriteBytes(resume.SessionToken);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out Resume resume)
    {
        var r = new PayloadReader(payload);
        resume = new Resume(r.ReadBytes(ProtocolLimits.SessionTokenBytes).ToArray());
        return r.Done;
    }
}
