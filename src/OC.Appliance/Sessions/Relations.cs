using OC.Protocol.Framing;

namespace OC.Appliance.Sessions;

/// <summary>What one user is to another, as far as reaching them goes.</summary>
internal enum Relation
{
    /// <summary>Neither friends nor blocked: FIND_USER and ONLINE_LIST show them, nothing else reaches.</summary>
    Stranger,
    Friends,

    /// <summary>The first user blocks the other (whether or not the other blocks back).</summary>
    Blocking,

    /// <summary>The other user blocks the first.</summary>
    BlockedBy,
}

/// <summary>
/// The one rule of who may reach whom, for every handler that sends something to another user
/// (SEND, FILE_OFFER): only a friend, and never across a block. It lives here, beside presence,
/// because features may not reference each other (docs/architecture.md); the friends handler
/// keeps the relations current. A block ends the friendship it falls on, so a blocked pair is
/// never friends; the check of the block comes first only to give the precise error.
/// </summary>
internal static class Relations
{
    public static bool IsBlocked(this Relation relation) => relation is Relation.Blocking or Relation.BlockedBy;

    /// <summary>True when <paramref name="to"/> is a friend of the session's user; otherwise answers the ERROR itself.</summary>
    public static bool RequireFriend(PresenceRegistry presence, ClientSession session, uint requestId, int to)
    {
        // The asker is online, so their relations are in memory: no storage round trip.
        switch (presence.RelationOf(session.UserNumber, to))
        {
            case Relation.Friends:
                return true;
            case Relation.Blocking:
                Replies.Error(session, requestId, ErrorCode.Blocked, $"you have blocked {to:D6}");
                return false;
            case Relation.BlockedBy:
                Replies.Error(session, requestId, ErrorCode.Blocked, $"{to:D6} has blocked you");
                return false;
            default:
                Replies.Error(session, requestId, ErrorCode.NotFriends, $"{to:D6} is not your friend");
                return false;
        }
    }
}
