using OC.Appliance.Limits;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Friends;

/// <summary>
/// Friends and presence: FIND_USER, FRIEND_ADD/REMOVE/LIST, ONLINE_LIST and the FRIEND_ADDED /
/// FRIEND_REMOVED events (docs/protocol.md, "Friends and presence"). Loop thread only.
/// </summary>
internal sealed class FriendsHandler(StorageWorker storage, PresenceRegistry presence, RateLimits limits, TimeProvider time)
{
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
            new UserCard((uint)user.Number, user.Nick, presence.IsOnline(user.Number), friend));
        session.Connection.Commit();
    }

    public void OnFriendAdd(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) =>
        ChangeFriend(session, requestId, payload, "FRIEND_ADD", add: true);

    public void OnFriendRemove(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) =>
        ChangeFriend(session, requestId, payload, "FRIEND_REMOVE", add: false);

    private void ChangeFriend(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, string frameName, bool add)
    {
        if (!TryReadTarget(session, requestId, payload, frameName, out int target)) return;
        // A friend request reaches someone else; taking one back does not.
        if (add && !Replies.WithinRate(session, requestId, limits, RateKind.FriendRequest)) return;
        if (target == session.UserNumber)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, add ? "you cannot add yourself as a friend" : "you are not your own friend");
            return;
        }
        storage.Post(new ChangeFriendJob(this, session, requestId, session.UserNumber, target, add, time.GetUtcNow().UtcDateTime));
    }

    internal void OnFriendChanged(ClientSession session, uint requestId, UserRecord? me, UserRecord? other, int target, bool add, FriendChange result)
    {
        switch (result)
        {
            case FriendChange.UnknownUser:
                Replies.Error(session, requestId, ErrorCode.UnknownUser, $"no user has OC number {target}");
                return;
            case FriendChange.AlreadyFriends:
                Replies.Error(session, requestId, ErrorCode.AlreadyFriends, $"{target} is already your friend");
                return;
            case FriendChange.NotFriends:
                Replies.Error(session, requestId, ErrorCode.NotFriends, $"{target} is not your friend");
                return;
        }

        Replies.Ok(session, requestId);

        int a = me!.Number, b = other!.Number;
        presence.FriendshipChanged(a, b, add);
        if (add)
        {
            // Both sides learn of the new friend with its presence; the asking session has its OK.
            var forA = new UserCard((uint)b, other.Nick, presence.IsOnline(b), true);
            var forB = new UserCard((uint)a, me.Nick, presence.IsOnline(a), true);
            presence.Push(b, buf => UserCard.Write(buf, FrameType.FriendAdded, Frame.NoRequest, forB));
            presence.Push(a, buf => UserCard.Write(buf, FrameType.FriendAdded, Frame.NoRequest, forA), except: session);
        }
        else
        {
            presence.Push(b, buf => UserNumber.Write(buf, FrameType.FriendRemoved, Frame.NoRequest, (uint)a));
            presence.Push(a, buf => UserNumber.Write(buf, FrameType.FriendRemoved, Frame.NoRequest, (uint)b), except: session);
        }
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
        var me = presence.Find(session.UserNumber);
        var cards = presence.All
            .OrderBy(u => u.Number)
            .Select(u => new UserCard((uint)u.Number, u.Nick, true, me?.Friends.Contains(u.Number) == true))
            .ToList();
        UserList.Write(session.Connection.Output, FrameType.OnlineUsers, requestId, cards);
        session.Connection.Commit();
    }

    private static bool TryReadTarget(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, string frameName, out int target)
    {
        target = 0;
        if (!UserNumber.TryRead(payload, out uint number))
        {
            Replies.Malformed(session, requestId, frameName);
            return false;
        }
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
