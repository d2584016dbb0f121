using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// A new password as the appliance stores it: the SCRAM-SHA-256 salt, iteration count, StoredKey
/// and ServerKey that the client derived from it (as for REGISTER; the password never crosses the
/// wire). Carried by PASSWORD_CHANGE (0x001E) and, after an OC number, ADMIN_SET_PASSWORD (0x007A).
/// <code>bytes salt (16..64), u32 iterations (4096..10,000,000), bytes storedKey (32), bytes serverKey (32)</code>
/// </summary>
public readonly record struct PasswordVerifier(byte[] Salt, uint Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>PASSWORD_CHANGE. Reply: OK, or ERROR FreshLoginRequired / InvalidArgument.</summary>
    public static void WriteChange(ByteBuffer buffer, uint requestId, in PasswordVerifier verifier)
    {
        var w = FrameWriter.Begin(buffer, FrameType.PasswordChange, requestId);
        WriteFields(ref w, verifier);
        w.End();
    }

    public static bool TryReadChange(ReadOnlySpan<byte> payload, out PasswordVerifier verifier)
    {
        var r = new PayloadReader(payload);
        verifier = ReadFields(ref r);
        return r.Done;
    }

    internal static void WriteFields(ref FrameWriter w, in PasswordVerifier v)
    {
        w.WriteBytes(v.Salt);
        w.WriteU32(v.Iterations);
        w.WriteBytes(v.StoredKey);
        w.WriteBytes(v.ServerKey);
    }

    internal static PasswordVerifier ReadFields(ref PayloadReader r)
    {
        byte[] salt = r.ReadBytes(ProtocolLimits.MaxSaltBytes).ToArray();
        uint iterations = r.ReadU32();
        byte[] storedKey = r.ReadBytes(ProtocolLimits.KeyBytes).ToArray();
        byte[] serverKey = r.ReadBytes(ProtocolLimits.KeyBytes).ToArray();
        return new PasswordVerifier(salt, iterations, storedKey, serverKey);
    }
}
