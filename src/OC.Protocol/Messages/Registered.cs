using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// REGISTERED (0x0011), appliance → client, the reply to REGISTER once the account is on disk.
/// <code>uint32 ocNumber (100000..999999)</code>
/// </summary>
public readonly record struct Registered(uint OcNumber)
{
    public static void Write(ByteBuffer buffer, uint requestId, in Registered registered)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Registered, requestId);
        w.WriteU32(registered.OcNumber);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out Registered registered)
    {
        var r = new PayloadReader(payload);
        registered = new Registered(r.ReadU32());
        return r.Done;
    }
}
