using OC.Appliance.Limits;
using OC.Appliance.Diagnostics;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Friends;

/// <summary>
/// Friends and presence: FIND_USER, FRIEND_ADD/REMOVE/LIST, ONLINE_LIST and the FRIEND_ADDED /
/// FRIEND_REMOVED events (docs/protocol.md, "Friends and presence"); friend requests and blocks
/// (FRIEND_REQUEST, FRIEND_RESPOND, FRIEND_REQUESTS, BLOCK, UNBLOCK, BLOCK_LIST), the requests in
/// FriendsHandler.Requests.cs. Every change is committed before anyone hears of it, then the
/// relations the loop keeps in memory (<see cref="PresenceRegistry"/>) follow. Loop thread only.
/// </summary>
internal sealed partial class FriendsHandler(StorageWorker storage, PresenceRegistry presence, RateLimits limits, TimeProvider time, FriendsMode mode = FriendsMode.Consent)
{
    public FriendsMode Mode => mode;

    public void OnFindUser(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!TryReadTarget(session, requestId, payload, "FIND_USER", out int target)) return;
        if (!Replies.WithinRate(session, requestId, limits, RateKind.Find)) return;
        storage.Post(new FindUserCardJob(this, session, requestId, session.UserNumber, target));
    }

    internal void OnUserCardFound(ClientSession session, uint requestId, int number, UserRecord? user, bool friend)
    {
        if (user is null)
        {
            Replies.Error(session, requestId, ErrorCode.UnknownUser, $"no user has OC number {number}");
            return;
        }
        UserCard.Write(session.Connection.Output, FrameType.UserCard, requestId,
            new UserCard((uint)user.Number, user.Nick, presence.IsOnlineFor(session.UserNumber, user.Number), friend));
        session.Connection.Commit();
    }

    public void OnFriendAdd(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!TryReadOther(session, requestId, payload, "FRIEND_ADD", "you cannot add yourself as a friend", out int target)) return;
        if (!Replies.WithinRate(session, requestId, limits, RateKind.FriendRequest)) return;
        storage.Post(new AddFriendJob(this, session, requestId, session.UserNumber, target, mode == FriendsMode.Open,
            time.GetUtcNow().UtcDateTime, storage.Counters));
    }

    internal void OnFriendAdded(AddFriendJob job)
    {
        var session = job.Session;
        if (RefusedUnknown(job)) return;
        var me = job.Me!;
        var other = job.Other!;
        switch (job.Result)
        {
            case FriendAddResult.AlreadyFriends:
                Replies.Error(session, job.RequestId, ErrorCode.AlreadyFriends, $"{other.Number} is already your friend");
                return;
            case FriendAddResult.YouBlock:
                Replies.Error(session, job.RequestId, ErrorCode.Blocked, $"you have blocked {other.Number}; unblock them first");
                return;
            case FriendAddResult.BlocksYou:
                Replies.Error(session, job.RequestId, ErrorCode.Blocked, $"{other.Number} has blocked you");
                return;
            case FriendAddResult.RequestPending:
                Replies.Error(session, job.RequestId, ErrorCode.RequestPending, $"your friend request to {other.Number} is waiting for them to accept");
                return;
            case FriendAddResult.TooManyPending:
                Replies.Error(session, job.RequestId, ErrorCode.TooManyPendingRequests,
                    $"you have {ProtocolLimits.MaxPendingRequests} friend requests waiting for an answer; withdraw some (FRIEND_REMOVE) first");
                return;
            case FriendAddResult.Requested:
                UserCard.Write(session.Connection.Output, FrameType.UserCard, job.RequestId,
                    new UserCard((uint)other.Number, other.Nick, presence.IsOnlineFor(me.Number, other.Number), false));
                session.Connection.Commit();
                var request = new FriendRequestEntry((uint)me.Number, me.Nick, new DateTimeOffset(job.TimeUtc).ToUnixTimeMilliseconds(), Outgoing: false);
                presence.Push(other.Number, buf => FriendRequestEntry.WriteEvent(buf, request));
                if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("friends.requested", $"{me.Number} asked {other.Number}");
                return;
            case FriendAddResult.Befriended:
                Befriended(session, job.RequestId, me, other);
                return;
        }
    }

    /// <summary>A new friendship is committed: the asker gets the card, both sides' other sessions FRIEND_ADDED.</summary>
    private void Befriended(ClientSession session, uint requestId, UserRecord me, UserRecord other)
    {
        int a = me.Number, b = other.Number;
        presence.FriendshipChanged(a, b, true);
        var forA = new UserCard((uint)b, other.Nick, presence.IsOnline(b), true);
        var forB = new UserCard((uint)a, me.Nick, presence.IsOnline(a), true);
        UserCard.Write(session.Connection.Output, FrameType.UserCard, requestId, forA);
        session.Connection.Commit();
        presence.Push(b, buf => UserCard.Write(buf, FrameType.FriendAdded, Frame.NoRequest, forB));
        presence.Push(a, buf => UserCard.Write(buf, FrameType.FriendAdded, Frame.NoRequest, forA), except: session);
    }

    public void OnFriendRemove(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!TryReadOther(session, requestId, payload, "FRIEND_REMOVE", "you are not your own friend", out int target)) return;
        storage.Post(new RemoveFriendJob(this, session, requestId, session.UserNumber, target, storage.Counters));
    }

    internal void OnFriendRemoved(RemoveFriendJob job)
    {
        var session = job.Session;
        if (RefusedUnknown(job)) return;
        int a = job.Me!.Number, b = job.Other!.Number;
        switch (job.Result)
        {
            case FriendRemoveResult.NotFriends:
                Replies.Error(session, job.RequestId, ErrorCode.NotFriends, $"{b} is not your friend");
                return;
            case FriendRemoveResult.Withdrawn:
                // The one asked is not told: the request just no longer waits for them.
                Replies.Ok(session, job.RequestId);
                return;
        }
        Replies.Ok(session, job.RequestId);
        Unfriended(a, b, except: session);
    }

    /// <summary>A friendship ended (removed or blocked): both sides' sessions get FRIEND_REMOVED, but the asking one.</summary>
    private void Unfriended(int a, int b, ClientSession except)
    {
        presence.FriendshipChanged(a, b, false);
        presence.Push(b, buf => UserNumber.Write(buf, FrameType.FriendRemoved, Frame.NoRequest, (uint)a));
        presence.Push(a, buf => UserNumber.Write(buf, FrameType.FriendRemoved, Frame.NoRequest, (uint)b), except: except);
    }

    public void OnFriendList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, requestId, "FRIEND_LIST"); return; }
        if (!Replies.RequireLogin(session, requestId)) return;
        storage.Post(new FriendListJob(this, session, requestId, session.UserNumber));
    }

    internal void OnFriendListLoaded(ClientSession session, uint requestId, List<(int Number, string Nick)> friends)
    {
        var cards = friends.Select(f => new UserCard((uint)f.Number, f.Nick, presence.IsOnline(f.Number), true)).ToList();
        UserList.Write(session.Connection.Output, FrameType.Friends, requestId, cards);
        session.Connection.Commit();
    }

    public void OnOnlineList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, requestId, "ONLINE_LIST"); return; }
        if (!Replies.RequireLogin(session, requestId)) return;
        int me = session.UserNumber;
        // Nobody on either side of a block sees the other here.
        var cards = presence.All
            .Where(u => !presence.RelationOf(me, u.Number).IsBlocked())
            .OrderBy(u => u.Number)
            .Select(u => new UserCard((uint)u.Number, u.Nick, true, presence.AreFriends(me, u.Number)))
            .ToList();
        UserList.Write(session.Connection.Output, FrameType.OnlineUsers, requestId, cards);
        session.Connection.Commit();
    }

    /// <summary>Answers UnknownUser for a job one of whose users does not exist; true when it did.</summary>
    private static bool RefusedUnknown(RelationJob job)
    {
        if (job.Known) return false;
        int number = job.Other is null ? job.Target : job.MeNumber;
        Replies.Error(job.Session, job.RequestId, ErrorCode.UnknownUser, $"no user has OC number {number}");
        return true;
    }

    /// <summary>The OC number of a request about another user; refuses yourself with <paramref name="selfError"/>.</summary>
    private static bool TryReadOther(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, string frameName, string selfError, out int target)
    {
        if (!TryReadTarget(session, requestId, payload, frameName, out target)) return false;
        if (target != session.UserNumber) return true;
        Replies.Error(session, requestId, ErrorCode.InvalidArgument, selfError);
        return false;
    }

    private static bool TryReadTarget(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, string frameName, out int target)
    {
        target = 0;
        if (!UserNumber.TryRead(payload, out uint number))
        {
            Replies.Malformed(session, requestId, frameName);
            return false;
        }
        return TryCheckTarget(session, requestId, number, out target);
    }

    private static bool TryCheckTarget(ClientSession session, uint requestId, uint number, out int target)
    {
        target = 0;
        if (!Replies.RequireLogin(session, requestId)) return false;
        if (!OcNumber.IsValid(number))
        {
            Replies.Error(session, requestId, ErrorCode.UnknownUser, $"{number} is not an OC number (six digits)");
            return false;
        }
        target = (int)number;
        return true;
    }
}
