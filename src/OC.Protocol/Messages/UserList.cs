using OC.Protocol.Framing;

namespace OC.Protocol.Messages;

/// <summary>
/// A list of users: FRIENDS (0x0025, the reply to FRIEND_LIST) and ONLINE_USERS (0x002A, the
/// reply to ONLINE_LIST).
/// <code>u16 count, then count × (u32 ocNumber, string nick, u8 online, u8 friend)</code>
/// </summary>
public static class UserList
{
    /// <summary>The most entries one reply carries (it stays far below the 1 MiB frame limit).</summary>
    public const int MaxEntries = 10_000;

    public static void Write(ByteBuffer buffer, FrameType type, uint requestId, IReadOnlyList<UserCard> users)
    {
        int count = Math.Min(users.Count, MaxEntries);
        var w = FrameWriter.Begin(buffer, type, requestId);
        w.WriteU16((ushort)count);
        for (int i = 0; i < count; i++) UserCard.WriteFields(ref w, users[i]);
        w.End();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out List<UserCard> users)
    {
        var r = new PayloadReader(payload);
        int count = r.ReadU16();
        users = new List<UserCard>(r.Capacity(count, UserCard.MinBytes));
        for (int i = 0; i < count && r.Ok; i++) users.Add(UserCard.ReadFields(ref r));
        return r.Done;
    }
}
