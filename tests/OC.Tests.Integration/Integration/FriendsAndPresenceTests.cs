using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Support;

namespace OC.Tests.Integration;

public abstract class FriendsAndPresenceTests(string poller)
{
    // For a hang only: events come in milliseconds.
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    protected string Poller { get; } = poller;

    private sealed record User(uint Number, OcConnection Connection) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    /// <summary>A new user logged in; <paramref name="live"/>: its session SYNCs, as `oc listen` and `oc chat` do, and so counts as online.</summary>
    private static async Task<User> NewUserAsync(TestAppliance appliance, string nick, bool live = true)
    {
        var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, nick, "pw");
        await TestUsers.LoginAsync(connection, number, "pw");
        if (live) await GoLiveAsync(connection);
        return new User(number, connection);
    }

    private static async Task<User> AnotherSessionAsync(TestAppliance appliance, uint number, bool live = true)
    {
        var connection = await appliance.ConnectAsync();
        await TestUsers.LoginAsync(connection, number, "pw");
        if (live) await GoLiveAsync(connection);
        return new User(number, connection);
    }

    /// <summary>One SYNC that ends with more = 0: the session is live (its page's events stay queued).</summary>
    private static async Task GoLiveAsync(OcConnection connection)
    {
        var synced = await OcMessages.SyncPageAsync(connection, 0);
        Assert.False(synced.More);
    }

    /// <summary>The types of the events queued now; a request answered first makes sure every event sent before it is among them.</summary>
    private static async Task<List<FrameType>> PendingEventsAsync(OcConnection connection)
    {
        await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id));
        var types = new List<FrameType>();
        while (connection.Events.TryRead(out var frame)) types.Add(frame.Type);
        return types;
    }

    private static async Task<ReceivedFrame> NextEventAsync(OcConnection connection, FrameType type)
    {
        using var timeout = new CancellationTokenSource(EventTimeout);
        while (true)
        {
            var frame = await connection.Events.ReadAsync(timeout.Token);
            if (frame.Type == type) return frame;
        }
    }

    private static Task<ReceivedFrame> Request(OcConnection c, FrameType type, uint number) =>
        c.RequestAsync((b, id) => UserNumber.Write(b, type, id, number));

    private static async Task<List<UserCard>> ListAsync(OcConnection c, FrameType request, FrameType reply)
    {
        var frame = await c.RequestAsync((b, id) => EmptyFrame.Write(b, request, id));
        Assert.Equal(reply, frame.Type);
        Assert.True(UserList.TryRead(frame.Payload, out var users));
        return users;
    }

    [Fact]
    public async Task Find_shows_nick_presence_and_friendship()
    {
        using var appliance = new TestAppliance(Poller);
        await using var alice = await NewUserAsync(appliance, "alice");
        await using var bob = await NewUserAsync(appliance, "bob 🙂");

        var frame = await Request(alice.Connection, FrameType.FindUser, bob.Number);
        Assert.True(UserCard.TryRead(frame.Payload, out var card));
        Assert.Equal(new UserCard(bob.Number, "bob 🙂", Online: true, Friend: false), card);
    }

    private static Task BefriendAsync(User a, User b) => ChatPeers.BefriendAsync(a.Connection, b.Number, b.Connection);

    [Fact]
    public async Task A_friendship_asked_and_accepted_is_mutual_and_the_asker_is_told()
    {
        using var appliance = new TestAppliance(Poller);
        await using var alice = await NewUserAsync(appliance, "alice");
        await using var bob = await NewUserAsync(appliance, "bob");

        var asked = await Request(alice.Connection, FrameType.FriendAdd, bob.Number);
        Assert.True(UserCard.TryRead(asked.Payload, out var pending));
        Assert.False(pending.Friend);
        await NextEventAsync(bob.Connection, FrameType.FriendRequest);
        await bob.Connection.RequestAsync((b, id) => FriendRespond.Write(b, id, new FriendRespond(alice.Number, Accept: true)));

        var added = await NextEventAsync(alice.Connection, FrameType.FriendAdded);
        Assert.True(UserCard.TryRead(added.Payload, out var card));
        Assert.Equal(new UserCard(bob.Number, "bob", Online: true, Friend: true), card);

        Assert.Equal([bob.Number], (await ListAsync(alice.Connection, FrameType.FriendList, FrameType.Friends)).Select(f => f.OcNumber));
        var bobsFriends = await ListAsync(bob.Connection, FrameType.FriendList, FrameType.Friends);
        Assert.Equal(new UserCard(alice.Number, "alice", true, true), Assert.Single(bobsFriends));
    }

    [Fact]
    public async Task Adding_yourself_an_unknown_number_or_a_friend_twice_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        await using var alice = await NewUserAsync(appliance, "alice");
        await using var bob = await NewUserAsync(appliance, "bob");

        var self = await Assert.ThrowsAsync<OcErrorException>(() => Request(alice.Connection, FrameType.FriendAdd, alice.Number));
        Assert.Equal(ErrorCode.InvalidArgument, self.Code);

        uint unknown = alice.Number == 999_999 || bob.Number == 999_999 ? 100_000u : 999_999u;
        if (unknown == alice.Number || unknown == bob.Number) unknown = 100_001;
        var missing = await Assert.ThrowsAsync<OcErrorException>(() => Request(alice.Connection, FrameType.FriendAdd, unknown));
        Assert.Equal(ErrorCode.UnknownUser, missing.Code);

        await BefriendAsync(alice, bob);
        var twice = await Assert.ThrowsAsync<OcErrorException>(() => Request(bob.Connection, FrameType.FriendAdd, alice.Number));
        Assert.Equal(ErrorCode.AlreadyFriends, twice.Code);

        var notFriend = await Assert.ThrowsAsync<OcErrorException>(() => Request(alice.Connection, FrameType.FriendRemove, unknown));
        Assert.Equal(ErrorCode.UnknownUser, notFriend.Code);
    }

    [Fact]
    public async Task Removing_a_friend_tells_the_other_side()
    {
        using var appliance = new TestAppliance(Poller);
        await using var alice = await NewUserAsync(appliance, "alice");
        await using var bob = await NewUserAsync(appliance, "bob");
        await BefriendAsync(alice, bob);

        await Request(bob.Connection, FrameType.FriendRemove, alice.Number);
        var removed = await NextEventAsync(alice.Connection, FrameType.FriendRemoved);
        Assert.True(UserNumber.TryRead(removed.Payload, out uint who));
        Assert.Equal(bob.Number, who);
        Assert.Empty(await ListAsync(alice.Connection, FrameType.FriendList, FrameType.Friends));

        var again = await Assert.ThrowsAsync<OcErrorException>(() => Request(bob.Connection, FrameType.FriendRemove, alice.Number));
        Assert.Equal(ErrorCode.NotFriends, again.Code);
    }

    [Fact]
    public async Task Friends_are_told_when_the_first_session_comes_and_the_last_one_goes()
    {
        using var appliance = new TestAppliance(Poller);
        await using var alice = await NewUserAsync(appliance, "alice");
        uint bobNumber;
        await using (var bob = await NewUserAsync(appliance, "bob"))
        {
            bobNumber = bob.Number;
            await BefriendAsync(alice, bob);
        }
        Assert.True(PresenceEvent.TryRead((await NextEventAsync(alice.Connection, FrameType.Presence)).Payload, out var gone));
        Assert.Equal(new PresenceEvent(bobNumber, false), gone);

        // Bob comes back on two terminals: one "online" for the first.
        var first = await AnotherSessionAsync(appliance, bobNumber);
        Assert.True(PresenceEvent.TryRead((await NextEventAsync(alice.Connection, FrameType.Presence)).Payload, out var back));
        Assert.Equal(new PresenceEvent(bobNumber, true), back);
        await using var second = await AnotherSessionAsync(appliance, bobNumber);

        // Closing one of two sessions changes nothing. The appliance must have seen the close first
        // (polled: nothing tells a client that another client's socket was closed), then a round
        // trip proves no event was queued before it.
        int connections = appliance.Server.ConnectionCount;
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => appliance.Server.ConnectionCount == connections - 1, Eventually.Deadline, "the appliance to see the first session close");
        var online = await ListAsync(alice.Connection, FrameType.OnlineList, FrameType.OnlineUsers);
        Assert.Contains(online, u => u.OcNumber == bobNumber && u.Friend);
        Assert.False(alice.Connection.Events.TryRead(out var early), $"unexpected event {early?.Type}");

        // Logging out the last session announces "offline".
        await second.Connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id));
        Assert.True(PresenceEvent.TryRead((await NextEventAsync(alice.Connection, FrameType.Presence)).Payload, out var offline));
        Assert.Equal(new PresenceEvent(bobNumber, false), offline);
        Assert.DoesNotContain(await ListAsync(alice.Connection, FrameType.OnlineList, FrameType.OnlineUsers), u => u.OcNumber == bobNumber);
    }

    [Fact]
    public async Task Only_live_sessions_make_a_user_online_and_one_shot_sessions_announce_nothing()
    {
        using var appliance = new TestAppliance(Poller);
        await using var alice = await NewUserAsync(appliance, "alice");
        int aliceOnly = appliance.Server.ConnectionCount;
        uint bobNumber;
        await using (var bob = await NewUserAsync(appliance, "bob", live: false))
        {
            bobNumber = bob.Number;
            await BefriendAsync(alice, bob);

            // A session that never SYNCs (oc send, oc history) is not "online", to anyone.
            Assert.True(UserCard.TryRead((await Request(alice.Connection, FrameType.FindUser, bobNumber)).Payload, out var found));
            Assert.False(found.Online);
            Assert.False(Assert.Single(await ListAsync(alice.Connection, FrameType.FriendList, FrameType.Friends)).Online);
            Assert.DoesNotContain(await ListAsync(alice.Connection, FrameType.OnlineList, FrameType.OnlineUsers), u => u.OcNumber == bobNumber);
            await ChatPeers.SendAsync(bob.Connection, alice.Number, "from a one-shot command");
        }

        await using (var history = await AnotherSessionAsync(appliance, bobNumber, live: false))
        {
            // oc history: a page, then a SYNC that peeks (to move its cursor) and so does not go live.
            await history.Connection.RequestAsync((b, id) => HistoryRequest.Write(b, id, new HistoryRequest(alice.Number, 0, 20)));
            Assert.False((await OcMessages.SyncPageAsync(history.Connection, 0, peek: true)).More);
        }
        await Eventually.TrueAsync(() => appliance.Server.ConnectionCount == aliceOnly, Eventually.Deadline, "the appliance to see the one-shot sessions close");
        var quiet = await PendingEventsAsync(alice.Connection);
        Assert.Contains(FrameType.Message, quiet);
        Assert.DoesNotContain(FrameType.Presence, quiet);

        // Going live (a SYNC ends with more = 0) makes Bob online; a second SYNC on it changes nothing.
        await using var live = await AnotherSessionAsync(appliance, bobNumber);
        Assert.True(PresenceEvent.TryRead((await NextEventAsync(alice.Connection, FrameType.Presence)).Payload, out var online));
        Assert.Equal(new PresenceEvent(bobNumber, true), online);
        await GoLiveAsync(live.Connection);
        Assert.True(UserCard.TryRead((await Request(alice.Connection, FrameType.FindUser, bobNumber)).Payload, out var now));
        Assert.True(now.Online);

        // A one-shot session beside the live one comes and goes without a word.
        await (await AnotherSessionAsync(appliance, bobNumber, live: false)).DisposeAsync();
        await Eventually.TrueAsync(() => appliance.Server.ConnectionCount == aliceOnly + 1, Eventually.Deadline, "the appliance to see the one-shot session close");
        Assert.DoesNotContain(FrameType.Presence, await PendingEventsAsync(alice.Connection));

        // The live session's end is "offline".
        await live.Connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id));
        Assert.True(PresenceEvent.TryRead((await NextEventAsync(alice.Connection, FrameType.Presence)).Payload, out var offline));
        Assert.Equal(new PresenceEvent(bobNumber, false), offline);
    }

    [Fact]
    public async Task Friends_survive_a_restart()
    {
        var data = TempDirectory.Create("oc-friends");
        try
        {
            uint aliceNumber, bobNumber;
            using (var first = new TestAppliance(Poller, dataDirectory: data))
            {
                await using var alice = await NewUserAsync(first, "alice");
                await using var bob = await NewUserAsync(first, "bob");
                await BefriendAsync(alice, bob);
                (aliceNumber, bobNumber) = (alice.Number, bob.Number);
            }
            using var second = new TestAppliance(Poller, dataDirectory: data);
            await using var again = await AnotherSessionAsync(second, aliceNumber);
            var friends = await ListAsync(again.Connection, FrameType.FriendList, FrameType.Friends);
            Assert.Equal(new UserCard(bobNumber, "bob", false, true), Assert.Single(friends));
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task Friend_requests_need_a_login()
    {
        using var appliance = new TestAppliance(Poller);
        await using var anonymous = await appliance.ConnectAsync();
        var e = await Assert.ThrowsAsync<OcErrorException>(() => Request(anonymous, FrameType.FriendAdd, 123456));
        Assert.Equal(ErrorCode.NotAuthenticated, e.Code);
    }
}

public sealed class FriendsAndPresenceTests_epoll() : FriendsAndPresenceTests("epoll");

public sealed class FriendsAndPresenceTests_select() : FriendsAndPresenceTests("select");
