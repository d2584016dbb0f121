using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// One file as FILE_ENTRIES (0x0045, the reply to FILE_LIST and FILE_GET) and FILE_RECEIVED
/// (0x0049, event) carry it.
/// <code>u64 fileId, u32 from, u32 to, string name, u64 size, u64 stored, bytes sha256 (32), i64 createdUnixMs, u8 state, u32 room</code>
/// FILE_ENTRIES: <c>u16 count, count × entry</c>; FILE_RECEIVED: one entry. <c>room</c> is the room
/// a room file was sent to (then <c>to</c> is 0), 0 for a file to one friend ("Room files").
/// </summary>
public readonly record struct FileEntry(ulong FileId, uint From, uint To, string Name, ulong Size, ulong Stored, byte[] Sha256, long CreatedUnixMs, FileState State, uint Room = 0)
{
    /// <summary>The smallest entry on the wire (empty name and hash): u64, u32, u32, u16, u64, u64, u16, i64, u8, u32.</summary>
    internal const int MinBytes = 8 + 4 + 4 + 2 + 8 + 8 + 2 + 8 + 1 + 4;

    public static void WriteList(ByteBuffer buffer, uint requestId, IReadOnlyList<FileEntry> entries)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileEntries, requestId);
        w.WriteU16((ushort)entries.Count);
        foreach (var e in entries) WriteFields(ref w, e);
        w.End();
    }

    public static void WriteReceived(ByteBuffer buffer, in FileEntry entry)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FileReceived, Frame.NoRequest);
        WriteFields(ref w, entry);
        w.End();
    }

    public static bool TryReadList(ReadOnlySpan<byte> payload, out List<FileEntry> entries)
    {
        var r = new PayloadReader(payload);
        int count = r.ReadU16();
        entries = new List<FileEntry>(r.Capacity(count, MinBytes));
        for (int i = 0; i < count && r.Ok; i++) entries.Add(ReadFields(ref r));
        return r.Done;
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FileEntry entry)
    {
        var r = new PayloadReader(payload);
        entry = ReadFields(ref r);
        return r.Done;
    }

    private static void WriteFields(ref FrameWriter w, in FileEntry e)
    {
        w.WriteU64(e.FileId);
        w.WriteU32(e.From);
        w.WriteU32(e.To);
        w.WriteString(e.Name);
        w.WriteU64(e.Size);
        w.WriteU64(e.Stored);
        w.WriteBytes(e.Sha256);
        w.WriteI64(e.CreatedUnixMs);
        w.WriteU8((byte)e.State);
        w.WriteU32(e.Room);
    }

    private static FileEntry ReadFields(ref PayloadReader r) => new(
        r.ReadU64(), r.ReadU32(), r.ReadU32(), r.ReadString(ProtocolLimits.MaxFileNameBytes), r.ReadU64(), r.ReadU64(),
        r.ReadBytes(ProtocolLimits.Sha256Bytes).ToArray(), r.ReadI64(), (FileState)r.ReadU8(), r.ReadU32());
}
