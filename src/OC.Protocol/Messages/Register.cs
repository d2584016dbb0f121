using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// REGISTER (0x0010), client → appliance, before login. The client derives the SCRAM-SHA-256
/// keys from the password itself (RFC 5802 §3), so the password never crosses the wire.
/// <code>string nick (1..32 characters, ≤ 64 bytes), string email (may be empty, ≤ 254 bytes),
/// bytes salt (16..64), uint32 iterations (4096..10,000,000), bytes storedKey (32), bytes serverKey (32)</code>
/// Reply: REGISTERED.
/// </summary>
public readonly record struct Register(string Nick, string Email, byte[] Salt, uint Iterations, byte[] StoredKey, byte[] ServerKey)
{
    public static void Write(ByteBuffer buffer, uint requestId, in Register register)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Register, requestId);
        w.WriteString(register.Nick);
        w.WriteString(register.Email);
        w.WriteBytes(register.Salt);
        w.WriteU32(register.Iterations);
        w.WriteBytes(register.StoredKey);
        w.WriteBytes(register.ServerKey);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out Register register)
    {
        var r = new PayloadReader(payload);
        string nick = r.ReadString(ProtocolLimits.MaxNickBytes);
        string email = r.ReadString(ProtocolLimits.MaxEmailBytes);
        byte[] salt = r.ReadBytes(ProtocolLimits.MaxSaltBytes).ToArray();
        uint iterations = r.ReadU32();
        byte[] storedKey = r.ReadBytes(ProtocolLimits.KeyBytes).ToArray();
        byte[] serverKey = r.ReadBytes(ProtocolLimits.KeyBytes).ToArray();
        register = new Register(nick, email, salt, iterations, storedKey, serverKey);
        return r.Done;
    }
}
