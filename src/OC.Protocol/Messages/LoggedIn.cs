using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// LOGGED_IN (0x0015), appliance → client, the reply to LOGIN_FINISH and to RESUME.
/// <code>string serverFinal ("v=…" after LOGIN_FINISH, empty after RESUME), bytes sessionToken (32),
/// uint32 ocNumber, string nick</code>
/// The client checks serverFinal (it proves the appliance knows the password's keys) before
/// trusting anything else, and keeps the token to RESUME later without the password.
/// </summary>
public readonly record struct LoggedIn(string ServerFinal, byte[] SessionToken, uint OcNumber, string Nick)
{
    public static void Write(ByteBuffer buffer, uint requestId, in LoggedIn loggedIn)
    {
        var w = FrameWriter.Begin(buffer, FrameType.LoggedIn, requestId);
        w.WriteString(loggedIn.ServerFinal);
        w.WriteBytes(loggedIn.SessionToken);
        w.WriteU32(loggedIn.OcNumber);
        w.WriteString(loggedIn.Nick);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out LoggedIn loggedIn)
    {
        var r = new PayloadReader(payload);
        string serverFinal = r.ReadString(ProtocolLimits.MaxScramMessageBytes);
        byte[] token = r.ReadBytes(ProtocolLimits.SessionTokenBytes).ToArray();
        loggedIn = new LoggedIn(serverFinal, token, r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes));
        return r.Done;
    }
}
