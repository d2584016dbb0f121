using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// One stored message as the appliance sends it: MESSAGE (0x0032, an event), and each entry of
/// HISTORY_PAGE.
/// <code>u64 seq, i64 timeUnixMs, u32 from, u32 to, bytes messageId (16), string text</code>
/// </summary>
public readonly record struct ChatMessage(ulong Seq, long TimeUnixMs, uint From, uint To, byte[] MessageId, string Text)
{
    /// <summary>The smallest entry on the wire (empty id and text): u64, i64, u32, u32, u16, u16.</summary>
    internal const int MinBytes = 8 + 8 + 4 + 4 + 2 + 2;

    public static void Write(ByteBuffer buffer, in ChatMessage message)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Message, Frame.NoRequest);
        WriteFields(ref w, message.Seq, message.TimeUnixMs, message.From, message.To, message.MessageId, System.Text.Encoding.UTF8.GetBytes(message.Text));
        w.End();
    }

    /// <summary>The event straight from stored fields, without making strings (the appliance's hot path).</summary>
    public static void Write(ByteBuffer buffer, ulong seq, long timeUnixMs, uint from, uint to, ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> utf8Text)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Message, Frame.NoRequest);
        WriteFields(ref w, seq, timeUnixMs, from, to, messageId, utf8Text);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out ChatMessage message)
    {
        var r = new PayloadReader(payload);
        message = ReadFields(ref r);
        return r.Done;
    }

    internal static void WriteFields(ref FrameWriter w, ulong seq, long timeUnixMs, uint from, uint to, ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> utf8Text)
    {
        w.WriteU64(seq);
        w.WriteI64(timeUnixMs);
        w.WriteU32(from);
        w.WriteU32(to);
        w.WriteBytes(messageId);
        w.WriteBytes(utf8Text);
    }

    internal static ChatMessage ReadFields(ref PayloadReader r) => new(
        r.ReadU64(), r.ReadI64(), r.ReadU32(), r.ReadU32(),
        r.ReadBytes(ProtocolLimits.MessageIdBytes).ToArray(),
        r.ReadString(ProtocolLimits.MaxMessageTextBytes));
}
