using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// A friend request waiting for an answer. FRIEND_REQUEST (0x002B) is an event with one entry,
/// pushed to every session of the user asked (<c>Outgoing</c> = false); FRIEND_REQUEST_LIST
/// (0x002E, the reply to FRIEND_REQUESTS) lists the requests to you, then those from you.
/// <code>u32 ocNumber, string nick, i64 timeUnixMs, u8 outgoing (0 = they asked you, 1 = you asked them)</code>
/// <code>FRIEND_REQUEST_LIST: u16 count, then count × the entry</code>
/// </summary>
public readonly record struct FriendRequestEntry(uint OcNumber, string Nick, long TimeUnixMs, bool Outgoing)
{
    public static void WriteEvent(ByteBuffer buffer, in FriendRequestEntry entry)
    {
        var w = FrameWriter.Begin(buffer, FrameType.FriendRequest, Frame.NoRequest);
        WriteFields(ref w, entry);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out FriendRequestEntry entry)
    {
        var r = new PayloadReader(payload);
        entry = ReadFields(ref r);
        return r.Done;
    }

    public static void WriteList(ByteBuffer buffer, uint requestId, IReadOnlyList<FriendRequestEntry> entries)
    {
        int count = Math.Min(entries.Count, 2 * ProtocolLimits.MaxRelationEntries);
        var w = FrameWriter.Begin(buffer, FrameType.FriendRequestList, requestId);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++) WriteFields(ref w, entries[i]);
        w.End();
    }

    public static bool TryReadList(ReadOnlySpan<byte> payload, out List<FriendRequestEntry> entries)
    {
        var r = new PayloadReader(payload);
        int count = r.ReadU16();
        entries = new List<FriendRequestEntry>(Math.Min(count, 1024));
        for (int i = 0; i < count && r.Ok; i++) entries.Add(ReadFields(ref r));
        return r.Done;
    }

    private static void WriteFields(ref FrameWriter w, in FriendRequestEntry entry)
    {
        w.WriteU32(entry.OcNumber);
        w.WriteString(entry.Nick);
        w.WriteI64(entry.TimeUnixMs);
        w.WriteU8(entry.Outgoing ? (byte)1 : (byte)0);
    }

    private static FriendRequestEntry ReadFields(ref PayloadReader r) =>
        new(r.ReadU32(), r.ReadString(ProtocolLimits.MaxNickBytes), r.ReadI64(), r.ReadU8() != 0);
}
