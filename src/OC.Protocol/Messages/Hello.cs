using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// HELLO (0x0001), client → appliance, the first frame on every connection.
/// <code>uint16 minVersion, uint16 maxVersion, string clientName (≤ 64 bytes)</code>
/// </summary>
public readonly record struct Hello(ushort MinVersion, ushort MaxVersion, string ClientName)
{
    public static void Write(ByteBuffer buffer, uint requestId, in Hello hello)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Hello, requestId);
        w.WriteU16(hello.MinVersion);
        w.WriteU16(hello.MaxVersion);
        w.WriteString(hello.ClientName);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out Hello hello)
    {
        var r = new PayloadReader(payload);
        hello = new Hello(r.ReadU16(), r.ReadU16(), r.ReadString(ProtocolLimits.MaxClientNameBytes));
        return r.Done;
    }
}
