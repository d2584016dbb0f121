namespace OC.Appliance.Storage.Messages;

/// <summary>
/// The key of one posting list in the message index. A list is keyed generally, so a new kind
/// (a room, later) is a new key space, not a new index: users are positive ints, so a user's
/// list is the number itself, a conversation puts the smaller number in the high half (never 0),
/// and a room sets the top bit.
/// </summary>
internal static class ListKey
{
    /// <summary>Every message a user sent or received (SYNC, and their resend window).</summary>
    public static ulong User(int user) => (uint)user;

    /// <summary>The messages between two users, either way (HISTORY).</summary>
    public static ulong Conversation(int a, int b) => ((ulong)(uint)Math.Min(a, b) << 32) | (uint)Math.Max(a, b);

    /// <summary>Every entry of a room's stream (ROOM_HISTORY, and members' SYNC).</summary>
    public static ulong Room(int roomId) => (1UL << 63) | (uint)roomId;
}
