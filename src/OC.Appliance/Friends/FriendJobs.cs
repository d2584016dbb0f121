using LiteDB;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;

namespace OC.Appliance.Friends;

internal enum FriendChange { Done, UnknownUser, AlreadyFriends, NotFriends }

/// <summary>FIND_USER: the account and whether it is already a friend.</summary>
internal sealed class FindUserCardJob(FriendsHandler handler, ClientSession session, uint requestId, int me, int target)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private UserRecord? _user;
    private bool _friend;

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        _user = AccountStore.FindUser(db, target);
        _friend = _user is not null && FriendStore.AreFriends(db, me, target);
    }

    protected override void OnCompleted() => handler.OnUserCardFound(Session, RequestId, target, _user, _friend);
}

/// <summary>FRIEND_ADD and FRIEND_REMOVE: committed before either side hears of it.</summary>
internal sealed class ChangeFriendJob(FriendsHandler handler, ClientSession session, uint requestId, int me, int target, bool add, DateTime nowUtc)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private FriendChange _result;
    private UserRecord? _target;
    private UserRecord? _me;

    internal override void Execute(LiteDatabase db)
    {
        _target = AccountStore.FindUser(db, target);
        _me = AccountStore.FindUser(db, me);
        if (_target is null || _me is null)
        {
            _result = FriendChange.UnknownUser;
            return;
        }
        if (add) _result = FriendStore.Add(db, me, target, nowUtc) ? FriendChange.Done : FriendChange.AlreadyFriends;
        else _result = FriendStore.Remove(db, me, target) ? FriendChange.Done : FriendChange.NotFriends;
    }

    protected override void OnCompleted() => handler.OnFriendChanged(Session, RequestId, _me, _target, target, add, _result);
}

/// <summary>FRIEND_LIST: the friends with their nicknames; presence is added on the loop.</summary>
internal sealed class FriendListJob(FriendsHandler handler, ClientSession session, uint requestId, int me)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private readonly List<(int Number, string Nick)> _friends = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        _friends.Clear(); // Execute may run twice (a group re-run one by one)
        foreach (int number in FriendStore.FriendsOf(db, me))
        {
            if (AccountStore.FindUser(db, number) is { } user) _friends.Add((user.Number, user.Nick));
        }
    }

    protected override void OnCompleted() => handler.OnFriendListLoaded(Session, RequestId, _friends);
}
