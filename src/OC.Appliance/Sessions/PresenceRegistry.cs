using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Sessions;

/// <summary>
/// Who is online, with which sessions, and pushing events to them. A user is online from their
/// first session's login to their last session's end (logout, disconnect, idle timeout);
/// only those two edges are announced to friends. Loop thread only.
/// </summary>
internal sealed class PresenceRegistry
{
    private readonly Dictionary<int, OnlineUser> _online = [];
    private readonly ByteBuffer _scratch = new();

    public int OnlineUsers => _online.Count;
    public int OnlineSessions { get; private set; }

    public IEnumerable<OnlineUser> All => _online.Values;

    public OnlineUser? Find(int number) => _online.GetValueOrDefault(number);

    public bool IsOnline(int number) => _online.ContainsKey(number);

    /// <summary>
    /// What <paramref name="other"/> is to <paramref name="online"/>, a user with a session: their
    /// relations are in memory, so SEND and FILE_OFFER need no storage round trip (see <see cref="Relations"/>).
    /// </summary>
    public Relation RelationOf(int online, int other)
    {
        if (!_online.TryGetValue(online, out var user)) return Relation.Stranger;
        if (user.Blocking.Contains(other)) return Relation.Blocking;
        if (user.BlockedBy.Contains(other)) return Relation.BlockedBy;
        return user.Friends.Contains(other) ? Relation.Friends : Relation.Stranger;
    }

    public bool AreFriends(int online, int to) => RelationOf(online, to) == Relation.Friends;

    /// <summary>
    /// Whether <paramref name="other"/> is online as <paramref name="viewer"/> may see it: never
    /// across a block (either way), so a blocked user cannot tell when the other is there.
    /// </summary>
    public bool IsOnlineFor(int viewer, int other) => IsOnline(other) && !RelationOf(viewer, other).IsBlocked();

    /// <summary>Adds a logged-in session; announces the user to online friends if it is their first.</summary>
    public void SessionOnline(ClientSession session, string nick, IReadOnlyCollection<int> friends,
        IReadOnlyCollection<int>? blocking = null, IReadOnlyCollection<int>? blockedBy = null)
    {
        if (!_online.TryGetValue(session.UserNumber, out var user))
        {
            user = new OnlineUser(session.UserNumber, nick, friends, blocking ?? [], blockedBy ?? []);
            _online.Add(user.Number, user);
            AnnounceToFriends(user, online: true);
        }
        user.Sessions.Add(session);
        OnlineSessions++;
    }

    /// <summary>Removes a session (logout or closed); announces the user gone if it was their last.</summary>
    public void SessionOffline(ClientSession session, int number)
    {
        if (!_online.TryGetValue(number, out var user) || !user.Sessions.Remove(session)) return;
        OnlineSessions--;
        if (user.Sessions.Count > 0) return;
        _online.Remove(number);
        AnnounceToFriends(user, online: false);
    }

    /// <summary>Keeps both sides' cached friend lists current after a committed change.</summary>
    public void FriendshipChanged(int a, int b, bool friends)
    {
        if (_online.TryGetValue(a, out var ua)) { if (friends) ua.Friends.Add(b); else ua.Friends.Remove(b); }
        if (_online.TryGetValue(b, out var ub)) { if (friends) ub.Friends.Add(a); else ub.Friends.Remove(a); }
    }

    /// <summary>Keeps both sides' cached blocks current after a committed BLOCK or UNBLOCK.</summary>
    public void BlockChanged(int blocker, int blocked, bool blocks)
    {
        if (_online.TryGetValue(blocker, out var ua)) { if (blocks) ua.Blocking.Add(blocked); else ua.Blocking.Remove(blocked); }
        if (_online.TryGetValue(blocked, out var ub)) { if (blocks) ub.BlockedBy.Add(blocker); else ub.BlockedBy.Remove(blocker); }
    }

    /// <summary>
    /// Writes one event frame and copies it to every session of the user, except
    /// <paramref name="except"/> (the session whose request caused it: it gets the reply instead).
    /// </summary>
    public void Push(int number, Action<ByteBuffer> writeEvent, ClientSession? except = null)
    {
        if (!_online.TryGetValue(number, out var user)) return;
        _scratch.Consume(_scratch.Length);
        writeEvent(_scratch);
        foreach (var session in user.Sessions)
        {
            if (ReferenceEquals(session, except) || session.IsClosed) continue;
            session.Connection.Output.Write(_scratch.Span);
            session.Connection.Commit();
        }
    }

    /// <summary>
    /// Copies an already written frame to every live session (one that finished its SYNC) of the
    /// user, except <paramref name="except"/>; returns how many got it. No allocation: the chat
    /// hot path runs through here once per message and party.
    /// </summary>
    public int PushToLive(int number, ReadOnlySpan<byte> frame, ClientSession? except = null)
    {
        if (!_online.TryGetValue(number, out var user)) return 0;
        int reached = 0;
        foreach (var session in user.Sessions)
        {
            if (!session.Live || ReferenceEquals(session, except) || session.IsClosed) continue;
            session.Connection.Output.Write(frame);
            session.Connection.Commit();
            reached++;
        }
        return reached;
    }

    /// <summary>True when the user has at least one session (live or not).</summary>
    public bool HasSession(int number) => _online.ContainsKey(number);

    private void AnnounceToFriends(OnlineUser user, bool online)
    {
        var presence = new PresenceEvent((uint)user.Number, online);
        foreach (int friend in user.Friends)
        {
            Push(friend, b => PresenceEvent.Write(b, presence));
        }
    }
}
