using OC.Appliance.Friends;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>
/// Friend consent on the wire against the real appliance: FRIEND_ADD asks, the other sees the
/// request live and in FRIEND_REQUESTS (after a restart too), and accepts or declines.
/// </summary>
public sealed class FriendRequestTests
{
    private static Task<ReceivedFrame> Add(OcConnection c, uint number) =>
        c.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FriendAdd, id, number));

    private static Task<ReceivedFrame> Respond(OcConnection c, uint number, bool accept) =>
        c.RequestAsync((b, id) => FriendRespond.Write(b, id, new FriendRespond(number, accept)));

    private static UserCard Card(ReceivedFrame frame)
    {
        Assert.Equal(FrameType.UserCard, frame.Type);
        Assert.True(UserCard.TryRead(frame.Payload, out var card));
        return card;
    }

    private static async Task<FriendRequestEntry> NextRequestAsync(OcConnection c)
    {
        Assert.True(FriendRequestEntry.TryRead((await NextAsync(c, FrameType.FriendRequest)).Payload, out var entry));
        return entry;
    }

    private static async Task<uint[]> FriendsOfAsync(OcConnection c) =>
        [.. (await OcFriends.ListAsync(c)).Select(f => f.OcNumber)];

    /// <summary>
    /// The event types queued for <paramref name="c"/> once a PING came back: whatever the appliance
    /// pushed to it before answering was written before the PONG, so nothing more can be on its way.
    /// </summary>
    internal static async Task<List<FrameType>> PendingEventsAsync(OcConnection c)
    {
        await c.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id));
        var types = new List<FrameType>();
        while (c.Events.TryRead(out var frame)) types.Add(frame.Type);
        return types;
    }

    [Fact]
    public async Task A_request_waits_until_the_other_accepts_then_both_are_friends_and_see_each_other()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobFirst) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b1 = bobFirst;
        var bobSecond = await SessionAsync(appliance, bob); // closed below, as a step of the test
        // Live sessions, as oc listen and oc chat have: only those make a user online.
        foreach (var live in new[] { aliceConn, bobFirst, bobSecond }) await GoLiveAsync(live);

        var asked = Card(await Add(aliceConn, bob));
        Assert.Equal(new UserCard(bob, "bob", Online: true, Friend: false), asked);

        // Every session of Bob hears of it at once.
        foreach (var session in new[] { bobFirst, bobSecond })
        {
            var request = await NextRequestAsync(session);
            Assert.Equal((alice, "alice", false), (request.OcNumber, request.Nick, request.Outgoing));
            Assert.InRange(request.TimeUnixMs, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());
        }

        // Asked is not friends: nothing passes yet, and asking again changes nothing.
        Assert.Empty(await FriendsOfAsync(aliceConn));
        Assert.Empty(await FriendsOfAsync(bobFirst));
        Assert.Equal(ErrorCode.NotFriends, (await Assert.ThrowsAsync<OcErrorException>(() => SendAsync(aliceConn, bob, "hi?"))).Code);
        Assert.Equal(ErrorCode.RequestPending, (await Assert.ThrowsAsync<OcErrorException>(() => Add(aliceConn, bob))).Code);

        var incoming = Assert.Single(await OcFriends.RequestsAsync(bobFirst));
        Assert.Equal((alice, "alice", false), (incoming.OcNumber, incoming.Nick, incoming.Outgoing));
        var outgoing = Assert.Single(await OcFriends.RequestsAsync(aliceConn));
        Assert.Equal((bob, "bob", true), (outgoing.OcNumber, outgoing.Nick, outgoing.Outgoing));

        var accepted = await OcFriends.AcceptAsync(bobFirst, alice);
        Assert.Equal(new UserCard(alice, "alice", Online: true, Friend: true), accepted);

        // Alice's sessions and Bob's other session are told; the accepting one has its reply.
        Assert.True(UserCard.TryRead((await NextAsync(aliceConn, FrameType.FriendAdded)).Payload, out var forAlice));
        Assert.Equal(new UserCard(bob, "bob", true, true), forAlice);
        Assert.True(UserCard.TryRead((await NextAsync(bobSecond, FrameType.FriendAdded)).Payload, out var forBob));
        Assert.Equal(new UserCard(alice, "alice", true, true), forBob);
        Assert.DoesNotContain(FrameType.FriendAdded, await PendingEventsAsync(bobFirst));

        Assert.Equal([bob], await FriendsOfAsync(aliceConn));
        Assert.Equal([alice], await FriendsOfAsync(bobSecond));
        Assert.Empty(await OcFriends.RequestsAsync(aliceConn));
        Assert.Empty(await OcFriends.RequestsAsync(bobFirst));
        await SendAsync(aliceConn, bob, "friends now");

        // Presence flows between them from now on: Bob's last session going says so.
        await bobSecond.DisposeAsync();
        await bobFirst.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id));
        Assert.True(PresenceEvent.TryRead((await NextAsync(aliceConn, FrameType.Presence)).Payload, out var gone));
        Assert.Equal(new PresenceEvent(bob, false), gone);
    }

    [Fact]
    public async Task A_request_to_someone_offline_survives_a_restart_and_is_listed_at_their_next_login()
    {
        var data = TempDirectory.Create("oc-requests");
        try
        {
            uint alice, bob;
            using (var first = new TestAppliance(dataDirectory: data))
            {
                var (a, aliceConn) = await NewUserAsync(first, "alice");
                await using var _a = aliceConn;
                await using (var bobConn = await first.ConnectAsync())
                {
                    bob = await TestUsers.RegisterAsync(bobConn, "bob", "pw");
                }
                alice = a;
                Assert.False(Card(await Add(aliceConn, bob)).Friend);
            }

            using var second = new TestAppliance(dataDirectory: data);
            await using var bobAgain = await SessionAsync(second, bob);
            var waiting = Assert.Single(await OcFriends.RequestsAsync(bobAgain));
            Assert.Equal((alice, "alice", false), (waiting.OcNumber, waiting.Nick, waiting.Outgoing));
            await using var aliceAgain = await SessionAsync(second, alice);
            Assert.True(Assert.Single(await OcFriends.RequestsAsync(aliceAgain)).Outgoing);
            await GoLiveAsync(aliceAgain);

            Assert.Equal(new UserCard(alice, "alice", true, true), await OcFriends.AcceptAsync(bobAgain, alice));
            Assert.Equal([bob], await FriendsOfAsync(aliceAgain));
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task Declining_removes_the_request_without_telling_the_asker_who_may_ask_again()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;

        await Add(aliceConn, bob);
        var first = await NextRequestAsync(bobConn);
        await OcFriends.DeclineAsync(bobConn, alice);

        Assert.DoesNotContain(await PendingEventsAsync(aliceConn), t => t is FrameType.FriendAdded or FrameType.FriendRemoved or FrameType.FriendRequest);
        Assert.Empty(await OcFriends.RequestsAsync(aliceConn));
        Assert.Empty(await OcFriends.RequestsAsync(bobConn));
        Assert.Empty(await FriendsOfAsync(bobConn));
        Assert.Equal(ErrorCode.NotRequested, (await Assert.ThrowsAsync<OcErrorException>(() => OcFriends.AcceptAsync(bobConn, alice))).Code);

        Assert.False(Card(await Add(aliceConn, bob)).Friend);
        var again = await NextRequestAsync(bobConn);
        Assert.Equal(alice, again.OcNumber);
        Assert.True(again.TimeUnixMs >= first.TimeUnixMs);
    }

    [Fact]
    public async Task Adding_back_someone_who_asked_accepts_their_request()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;

        await GoLiveAsync(aliceConn);
        await GoLiveAsync(bobConn);
        await Add(aliceConn, bob);
        Assert.Equal(new UserCard(alice, "alice", true, true), Card(await Add(bobConn, alice)));
        Assert.True(UserCard.TryRead((await NextAsync(aliceConn, FrameType.FriendAdded)).Payload, out var card));
        Assert.Equal(new UserCard(bob, "bob", true, true), card);
        Assert.Empty(await OcFriends.RequestsAsync(aliceConn));
        Assert.Empty(await OcFriends.RequestsAsync(bobConn));
        Assert.Equal(ErrorCode.AlreadyFriends, (await Assert.ThrowsAsync<OcErrorException>(() => Add(aliceConn, bob))).Code);
    }

    [Fact]
    public async Task Answering_a_request_nobody_made_or_to_an_unknown_number_is_refused_and_a_request_can_be_withdrawn()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;

        Assert.Equal(ErrorCode.NotRequested, (await Assert.ThrowsAsync<OcErrorException>(() => Respond(bobConn, alice, true))).Code);
        Assert.Equal(ErrorCode.NotRequested, (await Assert.ThrowsAsync<OcErrorException>(() => Respond(bobConn, alice, false))).Code);
        uint unknown = alice is 999_999 or 999_998 || bob is 999_999 or 999_998 ? 100_000u : 999_999u;
        Assert.Equal(ErrorCode.UnknownUser, (await Assert.ThrowsAsync<OcErrorException>(() => Respond(bobConn, unknown, true))).Code);
        Assert.Equal(ErrorCode.UnknownUser, (await Assert.ThrowsAsync<OcErrorException>(() => Add(bobConn, unknown))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<OcErrorException>(() => Add(bobConn, bob))).Code);

        // The asker takes the request back with FRIEND_REMOVE; then there is nothing to accept.
        await Add(aliceConn, bob);
        await aliceConn.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FriendRemove, id, bob));
        Assert.Empty(await OcFriends.RequestsAsync(bobConn));
        Assert.Equal(ErrorCode.NotRequested, (await Assert.ThrowsAsync<OcErrorException>(() => OcFriends.AcceptAsync(bobConn, alice))).Code);
        Assert.Equal(ErrorCode.NotFriends, (await Assert.ThrowsAsync<OcErrorException>(
            () => aliceConn.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FriendRemove, id, bob)))).Code);
    }

    [Fact]
    public async Task An_accept_flag_other_than_0_or_1_is_malformed()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn) = await NewUserAsync(appliance, "alice");
        await using var _a = aliceConn;
        var e = await Assert.ThrowsAsync<OcErrorException>(() => aliceConn.RequestAsync((b, id) =>
        {
            var w = FrameWriter.Begin(b, FrameType.FriendRespond, id);
            w.WriteU32(123456);
            w.WriteU8(2);
            w.End();
        }));
        Assert.Equal(ErrorCode.MalformedFrame, e.Code);
    }

    [Fact]
    public async Task At_most_100_requests_of_one_user_wait_and_withdrawing_one_makes_room()
    {
        // 101 requests in a row: over the friend-request rate (tested in RateLimitTests), not the subject here.
        using var appliance = new TestAppliance(configure: o => o with { RateLimits = OC.Appliance.Limits.RateLimitSettings.Off });
        var (_, asker) = await NewUserAsync(appliance, "asker");
        await using var _a = asker;
        await using var others = await appliance.ConnectAsync();
        var numbers = new List<uint>();
        for (int i = 0; i <= ProtocolLimits.MaxPendingRequests; i++) numbers.Add(await TestUsers.RegisterAsync(others, $"u{i}", "pw"));

        foreach (uint n in numbers.Take(ProtocolLimits.MaxPendingRequests)) Assert.False(Card(await Add(asker, n)).Friend);
        var full = await Assert.ThrowsAsync<OcErrorException>(() => Add(asker, numbers[^1]));
        Assert.Equal(ErrorCode.TooManyPendingRequests, full.Code);

        await asker.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FriendRemove, id, numbers[0]));
        Assert.False(Card(await Add(asker, numbers[^1])).Friend);
        Assert.Equal(ProtocolLimits.MaxPendingRequests, (await OcFriends.RequestsAsync(asker)).Count);
    }

    [Fact]
    public async Task With_friends_open_adding_is_mutual_at_once_as_in_the_original_oc()
    {
        using var appliance = new TestAppliance(configure: o => o with { FriendsMode = FriendsMode.Open });
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;

        await GoLiveAsync(aliceConn);
        await GoLiveAsync(bobConn);
        Assert.Equal(new UserCard(bob, "bob", true, true), Card(await Add(aliceConn, bob)));
        Assert.True(UserCard.TryRead((await NextAsync(bobConn, FrameType.FriendAdded)).Payload, out var card));
        Assert.Equal(new UserCard(alice, "alice", true, true), card);
        Assert.Equal([alice], await FriendsOfAsync(bobConn));
        Assert.Empty(await OcFriends.RequestsAsync(bobConn));
        await SendAsync(bobConn, alice, "no request needed");

        // A block holds in open mode too.
        await OcFriends.BlockAsync(bobConn, alice);
        Assert.Equal(ErrorCode.Blocked, (await Assert.ThrowsAsync<OcErrorException>(() => Add(aliceConn, bob))).Code);
    }
}
