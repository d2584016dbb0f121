using OC.Appliance.Accounts;
using OC.Appliance.Chat;
using OC.Appliance.Storage;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Protocol;

/// <summary>Friends and presence: FIND_USER, FRIEND_ADD/REMOVE/LIST, ONLINE_LIST (docs/protocol.md, "Friends and presence").</summary>
internal sealed partial class RequestRouter
{
    private void OnFindUser(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!TryReadTarget(session, requestId, payload, FrameType.FindUser, out int target)) return;
        Post(session, new FindUserCardJob(this, session, requestId, session.UserNumber, target));
    }

    internal void OnUserCardFound(ClientSession session, uint requestId, int number, UserRecord? user, bool friend)
    {
        if (user is null)
        {
            SendError(session, requestId, ErrorCode.UnknownUser, $"no user has OC number {number}");
            return;
        }
        UserCard.Write(session.Connection.Output, FrameType.UserCard, requestId,
            new UserCard((uint)user.Number, user.Nick, Presence.IsOnline(user.Number), friend));
        session.Connection.Commit();
    }

    private void OnFriendAdd(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) =>
        ChangeFriend(session, requestId, payload, FrameType.FriendAdd, add: true);

    private void OnFriendRemove(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) =>
        ChangeFriend(session, requestId, payload, FrameType.FriendRemove, add: false);

    private void ChangeFriend(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, FrameType type, bool add)
    {
        if (!TryReadTarget(session, requestId, payload, type, out int target)) return;
        if (target == session.UserNumber)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, add ? "you cannot add yourself as a friend" : "you are not your own friend");
            return;
        }
        Post(session, new ChangeFriendJob(this, session, requestId, session.UserNumber, target, add));
    }

    internal void OnFriendChanged(ClientSession session, uint requestId, UserRecord? me, UserRecord? other, int target, bool add, FriendChange result)
    {
        switch (result)
        {
            case FriendChange.UnknownUser:
                SendError(session, requestId, ErrorCode.UnknownUser, $"no user has OC number {target}");
                return;
            case FriendChange.AlreadyFriends:
                SendError(session, requestId, ErrorCode.AlreadyFriends, $"{target} is already your friend");
                return;
            case FriendChange.NotFriends:
                SendError(session, requestId, ErrorCode.NotFriends, $"{target} is not your friend");
                return;
        }

        EmptyFrame.Write(session.Connection.Output, FrameType.Ok, requestId);
        session.Connection.Commit();

        int a = me!.Number, b = other!.Number;
        Presence.FriendshipChanged(a, b, add);
        if (add)
        {
            // Both sides learn of the new friend with its presence; the asking session has its OK.
            var forA = new UserCard((uint)b, other.Nick, Presence.IsOnline(b), true);
            var forB = new UserCard((uint)a, me.Nick, Presence.IsOnline(a), true);
            Presence.Push(b, buf => UserCard.Write(buf, FrameType.FriendAdded, Frame.NoRequest, forB));
            Presence.Push(a, buf => UserCard.Write(buf, FrameType.FriendAdded, Frame.NoRequest, forA), except: session);
        }
        else
        {
            Presence.Push(b, buf => UserNumber.Write(buf, FrameType.FriendRemoved, Frame.NoRequest, (uint)a));
            Presence.Push(a, buf => UserNumber.Write(buf, FrameType.FriendRemoved, Frame.NoRequest, (uint)b), except: session);
        }
    }

    private void OnFriendList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed FRIEND_LIST payload"); return; }
        if (!RequireLogin(session, requestId)) return;
        Post(session, new FriendListJob(this, session, requestId, session.UserNumber));
    }

    internal void OnFriendListLoaded(ClientSession session, uint requestId, List<(int Number, string Nick)> friends)
    {
        var cards = friends.Select(f => new UserCard((uint)f.Number, f.Nick, Presence.IsOnline(f.Number), true)).ToList();
        UserList.Write(session.Connection.Output, FrameType.Friends, requestId, cards);
        session.Connection.Commit();
    }

    private void OnOnlineList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed ONLINE_LIST payload"); return; }
        if (!RequireLogin(session, requestId)) return;
        var me = Presence.Find(session.UserNumber);
        var cards = Presence.All
            .OrderBy(u => u.Number)
            .Select(u => new UserCard((uint)u.Number, u.Nick, true, me?.Friends.Contains(u.Number) == true))
            .ToList();
        UserList.Write(session.Connection.Output, FrameType.OnlineUsers, requestId, cards);
        session.Connection.Commit();
    }

    private bool TryReadTarget(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, FrameType type, out int target)
    {
        target = 0;
        if (!UserNumber.TryRead(payload, out uint number))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, $"malformed {type} payload");
            return false;
        }
        if (!RequireLogin(session, requestId)) return false;
        if (number is < 100_000 or > 999_999)
        {
            SendError(session, requestId, ErrorCode.UnknownUser, $"{number} is not an OC number (six digits)");
            return false;
        }
        target = (int)number;
        return true;
    }
}
