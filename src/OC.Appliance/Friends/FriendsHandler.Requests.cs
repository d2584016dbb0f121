using OC.Appliance.Diagnostics;
using OC.Appliance.Sessions;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Friends;

// Answering friend requests, listing them, and blocks.
internal sealed partial class FriendsHandler
{
    public void OnFriendRespond(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!FriendRespond.TryRead(payload, out var respond))
        {
            Replies.Malformed(session, requestId, "FRIEND_RESPOND");
            return;
        }
        if (!TryCheckTarget(session, requestId, respond.OcNumber, out int target)) return;
        storage.Post(new RespondJob(this, session, requestId, session.UserNumber, target, respond.Accept,
            time.GetUtcNow().UtcDateTime, storage.Counters));
    }

    internal void OnResponded(RespondJob job)
    {
        var session = job.Session;
        if (RefusedUnknown(job)) return;
        switch (job.Result)
        {
            case FriendRespondResult.NotRequested:
                Replies.Error(session, job.RequestId, ErrorCode.NotRequested, $"{job.Target} has not asked to be your friend");
                return;
            case FriendRespondResult.Declined:
                // The asker is not told; the request is simply gone (docs/protocol.md).
                Replies.Ok(session, job.RequestId);
                return;
            case FriendRespondResult.Accepted:
                Befriended(session, job.RequestId, job.Me!, job.Other!);
                return;
        }
    }

    public void OnFriendRequests(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, requestId, "FRIEND_REQUESTS"); return; }
        if (!Replies.RequireLogin(session, requestId)) return;
        storage.Post(new RequestListJob(this, session, requestId, session.UserNumber));
    }

    internal void OnRequestListLoaded(ClientSession session, uint requestId, List<(int Number, string Nick, DateTime CreatedUtc, bool Outgoing)> requests)
    {
        var entries = requests.Select(r => new FriendRequestEntry((uint)r.Number, r.Nick,
            new DateTimeOffset(r.CreatedUtc).ToUnixTimeMilliseconds(), r.Outgoing)).ToList();
        FriendRequestEntry.WriteList(session.Connection.Output, requestId, entries);
        session.Connection.Commit();
    }

    public void OnBlock(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) => ChangeBlock(session, requestId, payload, block: true);

    public void OnUnblock(ClientSession session, uint requestId, ReadOnlySpan<byte> payload) => ChangeBlock(session, requestId, payload, block: false);

    private void ChangeBlock(ClientSession session, uint requestId, ReadOnlySpan<byte> payload, bool block)
    {
        if (!TryReadOther(session, requestId, payload, block ? "BLOCK" : "UNBLOCK",
            block ? "you cannot block yourself" : "you cannot unblock yourself", out int target)) return;
        storage.Post(new BlockJob(this, session, requestId, session.UserNumber, target, block, time.GetUtcNow().UtcDateTime, storage.Counters));
    }

    internal void OnBlockChanged(BlockJob job)
    {
        var session = job.Session;
        if (RefusedUnknown(job)) return;
        int me = job.MeNumber, other = job.Target;
        Replies.Ok(session, job.RequestId);
        presence.BlockChanged(me, other, job.Block);
        // The blocked user learns no more than a removed friend does: the friendship ended.
        if (job.WasFriends) Unfriended(me, other, except: session);
        if (Log.IsEnabled(LogLevel.Debug)) Log.Debug(job.Block ? "friends.blocked" : "friends.unblocked", $"{me} {(job.Block ? "blocks" : "unblocked")} {other}");
    }

    public void OnBlockList(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload)) { Replies.Malformed(session, requestId, "BLOCK_LIST"); return; }
        if (!Replies.RequireLogin(session, requestId)) return;
        storage.Post(new BlockListJob(this, session, requestId, session.UserNumber));
    }

    internal void OnBlockListLoaded(ClientSession session, uint requestId, List<(int Number, string Nick, DateTime SinceUtc)> blocked)
    {
        var users = blocked.Select(b => new BlockedUser((uint)b.Number, b.Nick, new DateTimeOffset(b.SinceUtc).ToUnixTimeMilliseconds())).ToList();
        BlockedUser.WriteList(session.Connection.Output, requestId, users);
        session.Connection.Commit();
    }
}
