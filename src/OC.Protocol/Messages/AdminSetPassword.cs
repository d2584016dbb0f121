using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// ADMIN_SET_PASSWORD (0x007A), admin socket only: gives an account a new password (its SCRAM
/// verifier, derived by the admin tool) and ends every session of it.
/// <code>u32 ocNumber, then the fields of <see cref="PasswordVerifier"/></code>
/// Reply: OK, or ERROR UnknownUser / InvalidArgument.
/// </summary>
public readonly record struct AdminSetPassword(uint OcNumber, PasswordVerifier Verifier)
{
    public static void Write(ByteBuffer buffer, uint requestId, in AdminSetPassword request)
    {
        var w = FrameWriter.Begin(buffer, FrameType.AdminSetPassword, requestId);
        w.WriteU32(request.OcNumber);
        PasswordVerifier.WriteFields(ref w, request.Verifier);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out AdminSetPassword request)
    {
        var r = new PayloadReader(payload);
        uint number = r.ReadU32();
        request = new AdminSetPassword(number, PasswordVerifier.ReadFields(ref r));
        return r.Done;
    }
}
