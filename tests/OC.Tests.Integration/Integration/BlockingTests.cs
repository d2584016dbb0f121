using System.Security.Cryptography;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using static OC.Tests.Integration.ChatPeers;
using static OC.Tests.Integration.FriendRequestTests;

namespace OC.Tests.Integration;

/// <summary>
/// Blocks on the wire against the real appliance: while one user blocks another, no friend
/// request, message, file or presence passes between them, either way, and the block is on disk.
/// </summary>
public sealed class BlockingTests
{
    private static Task<ReceivedFrame> Add(OcConnection c, uint number) =>
        c.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FriendAdd, id, number));

    private static async Task<OcErrorException> RefusedAsync(Func<Task> request) => await Assert.ThrowsAsync<OcErrorException>(request);

    private static Task OfferAsync(OcConnection from, uint to) =>
        OcFiles.OfferAsync(from, new FileOffer(to, "x.bin", 1, SHA256.HashData([42])));

    [Fact]
    public async Task A_friend_request_from_a_blocked_user_is_refused_and_never_reaches_the_blocker()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;

        await OcFriends.BlockAsync(bobConn, alice);

        var refused = await RefusedAsync(() => Add(aliceConn, bob));
        Assert.Equal(ErrorCode.Blocked, refused.Code);
        Assert.Equal($"{bob} has blocked you", refused.Message);
        Assert.DoesNotContain(FrameType.FriendRequest, await PendingEventsAsync(bobConn));
        Assert.Empty(await OcFriends.RequestsAsync(bobConn));
        Assert.Empty(await OcFriends.RequestsAsync(aliceConn));

        // The blocker cannot ask either while the block stands.
        var own = await RefusedAsync(() => Add(bobConn, alice));
        Assert.Equal(ErrorCode.Blocked, own.Code);
        Assert.StartsWith($"you have blocked {alice}", own.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_drops_the_requests_waiting_between_the_two()
    {
        using var appliance = new TestAppliance();
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _c = carolConn;
        await using var _b = bobConn;

        await Add(carolConn, bob);
        Assert.Single(await OcFriends.RequestsAsync(bobConn));
        await OcFriends.BlockAsync(bobConn, carol);
        Assert.Empty(await OcFriends.RequestsAsync(bobConn));
        Assert.Empty(await OcFriends.RequestsAsync(carolConn));
        Assert.Equal(ErrorCode.NotRequested, (await RefusedAsync(() => OcFriends.AcceptAsync(bobConn, carol))).Code);
    }

    [Fact]
    public async Task Blocking_a_friend_ends_the_friendship_and_stops_messages_and_files_both_ways()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var bobElsewhere = await SessionAsync(appliance, bob);
        await BefriendAsync(aliceConn, bob, bobConn);
        await SendAsync(aliceConn, bob, "before");

        await OcFriends.BlockAsync(bobConn, alice);

        // Both sides see the friendship end, as after FRIEND_REMOVE; the blocking session has its OK.
        Assert.True(UserNumber.TryRead((await NextAsync(aliceConn, FrameType.FriendRemoved)).Payload, out uint gone));
        Assert.Equal(bob, gone);
        Assert.True(UserNumber.TryRead((await NextAsync(bobElsewhere, FrameType.FriendRemoved)).Payload, out uint removed));
        Assert.Equal(alice, removed);
        Assert.Empty(await OcFriends.ListAsync(aliceConn));
        Assert.Empty(await OcFriends.ListAsync(bobConn));

        var fromBlocked = await RefusedAsync(() => SendAsync(aliceConn, bob, "after"));
        Assert.Equal((ErrorCode.Blocked, $"{bob} has blocked you"), (fromBlocked.Code, fromBlocked.Message));
        var fromBlocker = await RefusedAsync(() => SendAsync(bobConn, alice, "after"));
        Assert.Equal((ErrorCode.Blocked, $"you have blocked {alice}"), (fromBlocker.Code, fromBlocker.Message));
        Assert.Equal(ErrorCode.Blocked, (await RefusedAsync(() => OfferAsync(aliceConn, bob))).Code);
        Assert.Equal(ErrorCode.Blocked, (await RefusedAsync(() => OfferAsync(bobConn, alice))).Code);

        // What was said before stays in both histories.
        Assert.Equal(["before"], (await HistoryAsync(bobConn, alice)).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task Neither_side_of_a_block_sees_the_other_online_but_others_see_both()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;
        foreach (var live in new[] { aliceConn, bobConn, carolConn }) await GoLiveAsync(live);
        await BefriendAsync(aliceConn, bob, bobConn);

        await OcFriends.BlockAsync(bobConn, alice);
        await NextAsync(aliceConn, FrameType.FriendRemoved);

        Assert.DoesNotContain(await OcFriends.OnlineAsync(aliceConn), u => u.OcNumber == bob);
        Assert.DoesNotContain(await OcFriends.OnlineAsync(bobConn), u => u.OcNumber == alice);
        Assert.Contains(await OcFriends.OnlineAsync(aliceConn), u => u.OcNumber == carol);
        var seenByCarol = (await OcFriends.OnlineAsync(carolConn)).Select(u => u.OcNumber).ToList();
        Assert.Contains(alice, seenByCarol);
        Assert.Contains(bob, seenByCarol);
        Assert.Equal(new UserCard(bob, "bob", Online: false, Friend: false), await OcFriends.FindAsync(aliceConn, bob));
        Assert.Equal(new UserCard(alice, "alice", Online: false, Friend: false), await OcFriends.FindAsync(bobConn, alice));
        Assert.True((await OcFriends.FindAsync(carolConn, bob)).Online);

        // Bob going and coming back is news to Carol, his friend, and none to Alice: by the time
        // Carol heard both, anything for Alice would have been written too.
        await BefriendAsync(carolConn, bob, bobConn);
        await bobConn.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id));
        await using var bobBack = await SessionAsync(appliance, bob);
        await GoLiveAsync(bobBack);
        Assert.True(PresenceEvent.TryRead((await NextAsync(carolConn, FrameType.Presence)).Payload, out var off));
        Assert.True(PresenceEvent.TryRead((await NextAsync(carolConn, FrameType.Presence)).Payload, out var on));
        Assert.Equal([new PresenceEvent(bob, false), new PresenceEvent(bob, true)], [off, on]);
        Assert.DoesNotContain(FrameType.Presence, await PendingEventsAsync(aliceConn));
    }

    [Fact]
    public async Task A_block_survives_a_restart_and_unblocking_needs_a_new_request_to_be_friends()
    {
        var data = TempDirectory.Create("oc-blocks");
        try
        {
            uint alice, bob;
            using (var first = new TestAppliance(dataDirectory: data))
            {
                var (a, aliceConn) = await NewUserAsync(first, "alice");
                var (b, bobConn) = await NewUserAsync(first, "bob");
                await using var _a = aliceConn;
                await using var _b = bobConn;
                (alice, bob) = (a, b);
                await BefriendAsync(aliceConn, bob, bobConn);
                await OcFriends.BlockAsync(bobConn, alice);
                await OcFriends.BlockAsync(bobConn, alice); // again: nothing changes
            }

            using var second = new TestAppliance(dataDirectory: data);
            await using var aliceAgain = await SessionAsync(second, alice);
            await using var bobAgain = await SessionAsync(second, bob);
            await GoLiveAsync(bobAgain);
            var blocked = Assert.Single(await OcFriends.BlockedAsync(bobAgain));
            Assert.Equal((alice, "alice"), (blocked.OcNumber, blocked.Nick));
            Assert.Empty(await OcFriends.BlockedAsync(aliceAgain)); // only your own blocks are listed
            Assert.Equal(ErrorCode.Blocked, (await RefusedAsync(() => SendAsync(aliceAgain, bob, "still?"))).Code);
            Assert.Equal(ErrorCode.Blocked, (await RefusedAsync(() => Add(aliceAgain, bob))).Code);
            Assert.Equal(ErrorCode.Blocked, (await RefusedAsync(() => OfferAsync(aliceAgain, bob))).Code);
            Assert.False((await OcFriends.FindAsync(aliceAgain, bob)).Online);

            await OcFriends.UnblockAsync(bobAgain, alice);
            await OcFriends.UnblockAsync(bobAgain, alice); // again: nothing changes
            Assert.Empty(await OcFriends.BlockedAsync(bobAgain));
            Assert.Empty(await OcFriends.ListAsync(aliceAgain));
            Assert.True((await OcFriends.FindAsync(aliceAgain, bob)).Online);
            Assert.Equal(ErrorCode.NotFriends, (await RefusedAsync(() => SendAsync(aliceAgain, bob, "friends?"))).Code);
            Assert.False((await OcFriends.AddAsync(aliceAgain, bob)).Friend);
            Assert.True(FriendRequestEntry.TryRead((await NextAsync(bobAgain, FrameType.FriendRequest)).Payload, out var request));
            Assert.Equal(alice, request.OcNumber);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task Blocking_yourself_or_an_unknown_number_is_refused()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        await using var _a = aliceConn;
        uint unknown = alice == 999_999 ? 999_998u : 999_999u;
        Assert.Equal(ErrorCode.InvalidArgument, (await RefusedAsync(() => OcFriends.BlockAsync(aliceConn, alice))).Code);
        Assert.Equal(ErrorCode.UnknownUser, (await RefusedAsync(() => OcFriends.BlockAsync(aliceConn, unknown))).Code);
        Assert.Equal(ErrorCode.UnknownUser, (await RefusedAsync(() => OcFriends.UnblockAsync(aliceConn, unknown))).Code);
        await using var anonymous = await appliance.ConnectAsync();
        Assert.Equal(ErrorCode.NotAuthenticated, (await RefusedAsync(() => OcFriends.BlockAsync(anonymous, alice))).Code);
    }

    [Fact]
    public async Task A_file_from_a_user_blocked_since_is_not_announced_when_the_recipient_goes_live()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;
        await BefriendAsync(aliceConn, bob, bobConn);
        await BefriendAsync(carolConn, bob, bobConn);

        // Bob has not synced: his session is not live, so neither file is announced yet.
        await OcFiles.UploadAsync(aliceConn, bob, "from-alice.txt", new MemoryStream("a"u8.ToArray()));
        ulong fromCarol = await OcFiles.UploadAsync(carolConn, bob, "from-carol.txt", new MemoryStream("c"u8.ToArray()));
        await OcFriends.BlockAsync(bobConn, alice);

        // Going live announces the files not yet fetched, in one batch: Carol's, not Alice's. (SYNC by
        // hand: ChatPeers.SyncAsync reads the queue and would drop an early FILE_RECEIVED.)
        var synced = await bobConn.RequestAsync((b, id) => SeqNumber.Write(b, FrameType.Sync, id, 0));
        Assert.Equal(FrameType.Synced, synced.Type);
        Assert.True(FileEntry.TryRead((await NextAsync(bobConn, FrameType.FileReceived)).Payload, out var announced));
        Assert.Equal((fromCarol, carol), (announced.FileId, announced.From));
        Assert.DoesNotContain(FrameType.FileReceived, await PendingEventsAsync(bobConn));
    }
}
