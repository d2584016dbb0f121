using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// SEND (0x0030), client → appliance: a 1:1 message to a friend.
/// <code>u32 to, bytes messageId (16, chosen by the client), string text (1..4096 bytes of UTF-8)</code>
/// Reply: SENT once the message is on disk. Sending again with the same messageId (after a
/// reconnect, say) gets the same SENT and stores nothing twice.
/// </summary>
public readonly record struct SendMessage(uint To, byte[] MessageId, string Text)
{
    public static void Write(ByteBuffer buffer, uint requestId, in SendMessage message)
    {
        var w = FrameWriter.Begin(buffer, FrameType.Send, requestId);
        w.WriteU32(message.To);
        w.WriteBytes(message.MessageId);
        w.WriteString(message.Text);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint to, out ReadOnlySpan<byte> messageId, out ReadOnlySpan<byte> utf8Text)
    {
        var r = new PayloadReader(payload);
        to = r.ReadU32();
        messageId = r.ReadBytes(ProtocolLimits.MessageIdBytes);
        utf8Text = r.ReadBytes(ProtocolLimits.MaxMessageTextBytes);
        return r.Done && messageId.Length == ProtocolLimits.MessageIdBytes && System.Text.Unicode.Utf8.IsValid(utf8Text);
    }
}
