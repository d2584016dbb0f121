using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// HISTORY_PAGE (0x0037), the reply to HISTORY: messages oldest first (newest last), and whether
/// older ones exist (ask again with beforeSeq = the first seq of this page).
/// <code>u8 more (0/1), u16 count, count × (u64 seq, i64 timeUnixMs, u32 from, u32 to, bytes messageId, string text)</code>
/// </summary>
public static class HistoryPage
{
    public static FrameWriter Begin(ByteBuffer buffer, uint requestId, bool more, int count)
    {
        var w = FrameWriter.Begin(buffer, FrameType.HistoryPage, requestId);
        w.WriteU8(more ? (byte)1 : (byte)0);
        w.WriteU16((ushort)count);
        return w;
    }

    public static void WriteEntry(ref FrameWriter w, ulong seq, long timeUnixMs, uint from, uint to, ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> utf8Text) =>
        ChatMessage.WriteFields(ref w, seq, timeUnixMs, from, to, messageId, utf8Text);

    public static bool TryRead(ReadOnlySpan<byte> payload, out bool more, out List<ChatMessage> messages)
    {
        var r = new PayloadReader(payload);
        more = r.ReadU8() != 0;
        int count = r.ReadU16();
        messages = new List<ChatMessage>(r.Capacity(count, ChatMessage.MinBytes));
        for (int i = 0; i < count && r.Ok; i++) messages.Add(ChatMessage.ReadFields(ref r));
        return r.Done;
    }
}
