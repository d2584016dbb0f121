using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Sessions;

/// <summary>
/// Who is logged in, with which sessions, and pushing events to them. Every logged-in session is
/// here (its user's relations are cached for SEND and FILE_OFFER), but a user is **online**, to
/// friends, only while a session of theirs is live: from the first session's first caught-up SYNC
/// to the last such session's end (logout, disconnect, idle timeout); only those two edges are
/// announced. A one-shot command (log in, send, leave) never goes live, so it neither appears
/// nor disappears (docs/protocol.md, "Friends and presence"). Loop thread only.
/// </summary>
internal sealed class PresenceRegistry
{
    private readonly Dictionary<int, OnlineUser> _online = [];
    private readonly ByteBuffer _scratch = new();

    /// <summary>Users with a logged-in session, live or not.</summary>
    public int OnlineUsers => _online.Count;
    public int OnlineSessions { get; private set; }

    /// <summary>Users online as friends see it (a live session): what <see cref="All"/> lists, counted.</summary>
    public int PresentUsers { get; private set; }

    /// <summary>The users online as friends see it: with at least one live session.</summary>
    public IEnumerable<OnlineUser> All => _online.Values.Where(u => u.PresentSessions > 0);

    public OnlineUser? Find(int number) => _online.GetValueOrDefault(number);

    /// <summary>Online as friends see it: a live session (not merely a login, as a one-shot command makes).</summary>
    public bool IsOnline(int number) => _online.TryGetValue(number, out var user) && user.PresentSessions > 0;

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

    /// <summary>Adds a logged-in session. Nothing is announced: the session is not live yet (<see cref="SessionWentLive"/>).</summary>
    public void SessionOnline(ClientSession session, string nick, IReadOnlyCollection<int> friends,
        IReadOnlyCollection<int>? blocking = null, IReadOnlyCollection<int>? blockedBy = null)
    {
        if (!_online.TryGetValue(session.UserNumber, out var user))
        {
            user = new OnlineUser(session.UserNumber, nick, friends, blocking ?? [], blockedBy ?? []);
            _online.Add(user.Number, user);
        }
        user.Sessions.Add(session);
        OnlineSessions++;
    }

    /// <summary>
    /// A session finished a SYNC (<see cref="SessionEvents.WentLive"/>): it counts as present until it
    /// ends, also while a later SYNC of it runs; the user's first present session announces them online.
    /// </summary>
    public void SessionWentLive(ClientSession session)
    {
        if (session.Present || !_online.TryGetValue(session.UserNumber, out var user) || !user.Sessions.Contains(session)) return;
        session.Present = true;
        if (user.PresentSessions++ == 0)
        {
            PresentUsers++;
            AnnounceToFriends(user, online: true);
        }
    }

    /// <summary>Removes a session (logout or closed); announces the user gone if it was their last present one.</summary>
    public void SessionOffline(ClientSession session, int number)
    {
        if (!_online.TryGetValue(number, out var user) || !user.Sessions.Remove(session)) return;
        OnlineSessions--;
        bool wasPresent = session.Present;
        session.Present = false;
        if (user.Sessions.Count == 0) _online.Remove(number);
        if (wasPresent && --user.PresentSessions == 0)
        {
            PresentUsers--;
            AnnounceToFriends(user, online: false);
        }
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
