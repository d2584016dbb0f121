using System.Buffers.Binary;
using OC.Protocol.Messages;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// How a room's entry is kept in a <see cref="MessageRecord"/>, so that rooms share the log, its
/// seq counter, its group commit and its index with 1:1 messages (docs/architecture.md, "Rooms"):
/// <list type="bullet">
/// <item>to: the room id in the low 24 bits (ids and OC numbers are below 2^20), 1 + the kind in the
/// high 8 (a 1:1 message has 0 there: logs written before rooms read unchanged);</item>
/// <item>from: the member who wrote, or the actor of a change (who invited, kicked, handed over);</item>
/// <item>id: the client's message id of a Text; for a change the subject's OC number in its first
/// four bytes (little-endian); for a File the file id in its first eight (big-endian, as on the wire);</item>
/// <item>text: the message; the subject's nickname for a change; the file's name for a File.</item>
/// </list>
/// </summary>
internal static class RoomRecords
{
    public const int TargetBits = 24;
    public const int TargetMask = (1 << TargetBits) - 1;

    public static int To(RoomMessageKind kind, int roomId) => (((int)kind + 1) << TargetBits) | roomId;

    public static RoomMessageKind KindOf(in MessageRecord record) => (RoomMessageKind)(record.Kind - 1);

    public static bool IsChange(RoomMessageKind kind) => kind is >= RoomMessageKind.Joined and <= RoomMessageKind.OwnerChanged;

    /// <summary>The member a change is about (0 for a Text or File).</summary>
    public static int Subject(in MessageRecord record) =>
        IsChange(KindOf(record)) ? BinaryPrimitives.ReadInt32LittleEndian(record.Id) : 0;

    /// <summary>The messageId field of the entry on the wire: the client's id, the file id's 8 bytes, or nothing.</summary>
    public static ReadOnlySpan<byte> WireId(MessageRecord record) => KindOf(record) switch
    {
        RoomMessageKind.Text => record.Id,
        RoomMessageKind.File => record.Id[..8],
        _ => [],
    };

    /// <summary>The stored id of a change: the subject's number, then zeros.</summary>
    public static void ChangeId(int subject, Span<byte> id)
    {
        id.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(id, subject);
    }

    /// <summary>The stored id of a File entry: the file id, big-endian, then zeros.</summary>
    public static void FileId(ulong fileId, Span<byte> id)
    {
        id.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(id, fileId);
    }
}
