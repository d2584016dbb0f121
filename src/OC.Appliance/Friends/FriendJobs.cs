using LiteDB;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;

namespace OC.Appliance.Friends;

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

/// <summary>
/// A friend job that looks both users up first and may change the totals of the status page
/// (friend requests, blocks), which it adds once its group is durable.
/// </summary>
internal abstract class RelationJob(ClientSession session, uint requestId, int me, int target, AccountCounters counters)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private int _requests;
    private int _blocks;

    public int MeNumber => me;
    public int Target => target;

    public UserRecord? Me { get; private set; }
    public UserRecord? Other { get; private set; }

    internal sealed override void Execute(LiteDatabase db)
    {
        // Execute may run twice (a group re-run one by one): start from nothing each time.
        _requests = 0;
        _blocks = 0;
        Me = AccountStore.FindUser(db, me);
        Other = AccountStore.FindUser(db, target);
        if (Me is null || Other is null) return;
        Change(db);
    }

    /// <summary>On the storage thread, both users known; may run twice, so writes only through the counting helpers.</summary>
    protected abstract void Change(LiteDatabase db);

    protected void RequestsChanged(int delta) => _requests += delta;

    protected void BlocksChanged(int delta) => _blocks += delta;

    /// <summary>Both users exist.</summary>
    public bool Known => Me is not null && Other is not null;

    internal sealed override void OnDurable()
    {
        if (_requests != 0) counters.AddFriendRequests(_requests);
        if (_blocks != 0) counters.AddBlocks(_blocks);
    }
}

internal enum FriendAddResult { Requested, Befriended, AlreadyFriends, RequestPending, TooManyPending, YouBlock, BlocksYou }

/// <summary>
/// FRIEND_ADD: a request, or a friendship when the other already asked (or in open mode);
/// committed before either side hears of it.
/// </summary>
internal sealed class AddFriendJob(FriendsHandler handler, ClientSession session, uint requestId, int me, int target,
    bool open, DateTime nowUtc, AccountCounters counters)
    : RelationJob(session, requestId, me, target, counters)
{
    public FriendAddResult Result { get; private set; }

    public DateTime TimeUtc => nowUtc;

    protected override void Change(LiteDatabase db)
    {
        if (BlockStore.IsBlocking(db, MeNumber, Target)) { Result = FriendAddResult.YouBlock; return; }
        if (BlockStore.IsBlocking(db, Target, MeNumber)) { Result = FriendAddResult.BlocksYou; return; }
        if (FriendStore.AreFriends(db, MeNumber, Target)) { Result = FriendAddResult.AlreadyFriends; return; }

        // Adding someone who asked you first is accepting: the natural "add back".
        if (open || FriendRequestStore.Exists(db, Target, MeNumber))
        {
            FriendStore.Add(db, MeNumber, Target, nowUtc);
            RequestsChanged(-FriendRequestStore.RemoveBetween(db, MeNumber, Target));
            Result = FriendAddResult.Befriended;
            return;
        }
        if (FriendRequestStore.Exists(db, MeNumber, Target)) { Result = FriendAddResult.RequestPending; return; }
        if (FriendRequestStore.CountFrom(db, MeNumber) >= OC.Protocol.ProtocolLimits.MaxPendingRequests)
        {
            Result = FriendAddResult.TooManyPending;
            return;
        }
        FriendRequestStore.Add(db, MeNumber, Target, nowUtc);
        RequestsChanged(1);
        Result = FriendAddResult.Requested;
    }

    protected override void OnCompleted() => handler.OnFriendAdded(this);
}

internal enum FriendRespondResult { NotRequested, Accepted, Declined }

/// <summary>FRIEND_RESPOND: accept (friends from now on) or decline (the request goes, the asker is not told).</summary>
internal sealed class RespondJob(FriendsHandler handler, ClientSession session, uint requestId, int me, int target,
    bool accept, DateTime nowUtc, AccountCounters counters)
    : RelationJob(session, requestId, me, target, counters)
{
    public FriendRespondResult Result { get; private set; }

    protected override void Change(LiteDatabase db)
    {
        if (!FriendRequestStore.Remove(db, Target, MeNumber))
        {
            Result = FriendRespondResult.NotRequested;
            return;
        }
        RequestsChanged(-1);
        if (!accept)
        {
            Result = FriendRespondResult.Declined;
            return;
        }
        // A block removes the requests between two users and refuses new ones, so none stands here.
        FriendStore.Add(db, MeNumber, Target, nowUtc);
        if (FriendRequestStore.Remove(db, MeNumber, Target)) RequestsChanged(-1);
        Result = FriendRespondResult.Accepted;
    }

    protected override void OnCompleted() => handler.OnResponded(this);
}

internal enum FriendRemoveResult { NotFriends, Removed, Withdrawn }

/// <summary>FRIEND_REMOVE: ends a friendship, or withdraws your request that is still waiting.</summary>
internal sealed class RemoveFriendJob(FriendsHandler handler, ClientSession session, uint requestId, int me, int target, AccountCounters counters)
    : RelationJob(session, requestId, me, target, counters)
{
    public FriendRemoveResult Result { get; private set; }

    protected override void Change(LiteDatabase db)
    {
        if (FriendStore.Remove(db, MeNumber, Target)) Result = FriendRemoveResult.Removed;
        else if (FriendRequestStore.Remove(db, MeNumber, Target))
        {
            RequestsChanged(-1);
            Result = FriendRemoveResult.Withdrawn;
        }
        else Result = FriendRemoveResult.NotFriends;
    }

    protected override void OnCompleted() => handler.OnFriendRemoved(this);
}

/// <summary>
/// BLOCK and UNBLOCK. A block ends the friendship and drops the requests between the two, in the
/// same transaction, so a blocked pair is never friends. Both are idempotent.
/// </summary>
internal sealed class BlockJob(FriendsHandler handler, ClientSession session, uint requestId, int me, int target,
    bool block, DateTime nowUtc, AccountCounters counters)
    : RelationJob(session, requestId, me, target, counters)
{
    public bool Block => block;

    /// <summary>The block ended a friendship (both sides are told it ended).</summary>
    public bool WasFriends { get; private set; }

    protected override void Change(LiteDatabase db)
    {
        WasFriends = false;
        if (!block)
        {
            if (BlockStore.Remove(db, MeNumber, Target)) BlocksChanged(-1);
            return;
        }
        if (BlockStore.Add(db, MeNumber, Target, nowUtc)) BlocksChanged(1);
        WasFriends = FriendStore.Remove(db, MeNumber, Target);
        RequestsChanged(-FriendRequestStore.RemoveBetween(db, MeNumber, Target));
    }

    protected override void OnCompleted() => handler.OnBlockChanged(this);
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

/// <summary>FRIEND_REQUESTS: the requests to you, then yours, each oldest first, with nicknames.</summary>
internal sealed class RequestListJob(FriendsHandler handler, ClientSession session, uint requestId, int me)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private readonly List<(int Number, string Nick, DateTime CreatedUtc, bool Outgoing)> _requests = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        _requests.Clear();
        Add(db, FriendRequestStore.To(db, me, OC.Protocol.ProtocolLimits.MaxRelationEntries), outgoing: false);
        Add(db, FriendRequestStore.From(db, me, OC.Protocol.ProtocolLimits.MaxRelationEntries), outgoing: true);
    }

    private void Add(LiteDatabase db, List<(int Number, DateTime CreatedUtc)> requests, bool outgoing)
    {
        foreach (var (number, created) in requests)
        {
            if (AccountStore.FindUser(db, number) is { } user) _requests.Add((number, user.Nick, created, outgoing));
        }
    }

    protected override void OnCompleted() => handler.OnRequestListLoaded(Session, RequestId, _requests);
}

/// <summary>BLOCK_LIST: whom you block, ordered by OC number, with nicknames.</summary>
internal sealed class BlockListJob(FriendsHandler handler, ClientSession session, uint requestId, int me)
    : RequestJob<LiteDatabase>(session, requestId)
{
    private readonly List<(int Number, string Nick, DateTime SinceUtc)> _blocked = [];

    internal override bool Writes => false;

    internal override void Execute(LiteDatabase db)
    {
        _blocked.Clear();
        foreach (var (number, since) in BlockStore.BlockedBy(db, me, OC.Protocol.ProtocolLimits.MaxRelationEntries))
        {
            if (AccountStore.FindUser(db, number) is { } user) _blocked.Add((number, user.Nick, since));
        }
    }

    protected override void OnCompleted() => handler.OnBlockListLoaded(Session, RequestId, _blocked);
}
