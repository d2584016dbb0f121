using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// SENT (0x0031), appliance → client, the reply to SEND: the message is stored and flushed.
/// <code>u64 seq, i64 timeUnixMs</code>
/// </summary>
public readonly record struct Sent(ulong Seq, long TimeUnixMs)
{
    public static void Write(ByteBuffer buffer, uint requestId, in Sent sent)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Sent, requestId);
        w.WriteU64(sent.Seq);
        w.WriteI64(sent.TimeUnixMs);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out Sent sent)
    {
        var r = new PayloadReader(payload);
        sent = new Sent(r.ReadU64(), r.ReadI64());
        return r.Done;
    }
}
