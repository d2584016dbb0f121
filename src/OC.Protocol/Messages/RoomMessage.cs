using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>What an entry of a room's stream is (docs/protocol.md, "Room messages"). Wire values; never renumber.</summary>
public enum RoomMessageKind : byte
{
    /// <summary>A member's message: <c>From</c> wrote <c>Text</c>.</summary>
    Text = 0,
    /// <summary>Subject joined; From = who invited them (themselves for an open room or a new room's creator). Text = subject's nickname.</summary>
    Joined = 1,
    /// <summary>Subject left (From = subject). Text = subject's nickname.</summary>
    Left = 2,
    /// <summary>Subject was kicked by From (the owner). Text = subject's nickname.</summary>
    Kicked = 3,
    /// <summary>Subject owns the room now; From owned it before. Text = subject's nickname.</summary>
    OwnerChanged = 4,
    /// <summary>From sent a file to the room (docs/protocol.md, "Room files"). Text = the file's name.</summary>
    File = 5,
}

/// <summary>
/// One entry of a room's stream as the appliance sends it: ROOM_MESSAGE (0x0061, an event, also
/// in SYNC pages) and each entry of ROOM_HISTORY_PAGE.
/// <code>u64 seq, i64 timeUnixMs, u32 roomId, u32 from, u8 kind, u32 subject, bytes messageId (16, or 0 for an event), string text</code>
/// </summary>
public readonly record struct RoomMessage(ulong Seq, long TimeUnixMs, uint RoomId, uint From, RoomMessageKind Kind, uint Subject, byte[] MessageId, string Text)
{
    /// <summary>The smallest entry on the wire (empty id and text).</summary>
    internal const int MinBytes = 8 + 8 + 4 + 4 + 1 + 4 + 2 + 2;

    /// <summary>The highest kind this version knows; a client shows a later one as an unknown event, never drops the seq.</summary>
    public const RoomMessageKind LastKnownKind = RoomMessageKind.File;

    public bool IsEvent => Kind != RoomMessageKind.Text;

    public static void Write(ByteBuffer buffer, in RoomMessage message)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomMessage, Frame.NoRequest);
        WriteFields(ref w, message.Seq, message.TimeUnixMs, message.RoomId, message.From, message.Kind, message.Subject,
            message.MessageId, System.Text.Encoding.UTF8.GetBytes(message.Text));
        w.End();
    }

    /// <summary>The event straight from stored fields, without making strings (the appliance's hot path).</summary>
    public static void Write(ByteBuffer buffer, ulong seq, long timeUnixMs, uint roomId, uint from, RoomMessageKind kind, uint subject,
        ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> utf8Text)
    {
        var w = FrameWriter.Begin(buffer, FrameType.RoomMessage, Frame.NoRequest);
        WriteFields(ref w, seq, timeUnixMs, roomId, from, kind, subject, messageId, utf8Text);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out RoomMessage message)
    {
        var r = new PayloadReader(payload);
        message = ReadFields(ref r);
        return r.Done;
    }

    internal static void WriteFields(ref FrameWriter w, ulong seq, long timeUnixMs, uint roomId, uint from, RoomMessageKind kind, uint subject,
        ReadOnlySpan<byte> messageId, ReadOnlySpan<byte> utf8Text)
    {
        w.WriteU64(seq);
        w.WriteI64(timeUnixMs);
        w.WriteU32(roomId);
        w.WriteU32(from);
        w.WriteU8((byte)kind);
        w.WriteU32(subject);
        w.WriteBytes(messageId);
        w.WriteBytes(utf8Text);
    }

    internal static RoomMessage ReadFields(ref PayloadReader r) => new(
        r.ReadU64(), r.ReadI64(), r.ReadU32(), r.ReadU32(), (RoomMessageKind)r.ReadU8(), r.ReadU32(),
        r.ReadBytes(ProtocolLimits.MessageIdBytes).ToArray(),
        r.ReadString(ProtocolLimits.MaxMessageTextBytes));
}
