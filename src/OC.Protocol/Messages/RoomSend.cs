using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// ROOM_SEND (0x0060), client → appliance: a message to a room of yours.
/// <code>u32 roomId, bytes messageId (16, chosen by the client), string text (1..4096 bytes of UTF-8)</code>
/// Reply: SENT once the message is on disk, as for SEND; the same messageId again gets the same SENT.
/// </summary>
public readonly record struct RoomSend(uint RoomId, byte[] MessageId, string Text)
{
    public static void Write(ByteBuffer buffer, uint requestId, in RoomSend message)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomSend, requestId);
        w.WriteU32(message.RoomId);
        w.WriteBytes(message.MessageId);
        w.WriteString(message.Text);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out uint roomId, out ReadOnlySpan<byte> messageId, out ReadOnlySpan<byte> utf8Text)
    {
        var r = new PayloadReader(payload);
        roomId = r.ReadU32();
        messageId = r.ReadBytes(ProtocolLimits.MessageIdBytes);
        utf8Text = r.ReadBytes(ProtocolLimits.MaxMessageTextBytes);
        return r.Done && messageId.Length == ProtocolLimits.MessageIdBytes && System.Text.Unicode.Utf8.IsValid(utf8Text);
    }
}
