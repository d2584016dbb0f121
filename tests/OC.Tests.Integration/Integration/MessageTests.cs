using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

public abstract class MessageTests(string poller)
{
    protected string Poller { get; } = poller;

    [Fact]
    public async Task A_message_reaches_every_live_session_of_both_sides_and_the_sender_hears_it_was_delivered()
    {
        using var appliance = new TestAppliance(Poller);
        var (alice, aliceMain) = await NewUserAsync(appliance, "alice");
        var (bob, bobFirst) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceMain;
        await using var _b = bobFirst;
        await BefriendAsync(aliceMain, bob, bobFirst);
        await using var aliceOther = await SessionAsync(appliance, alice);
        await using var bobSecond = await SessionAsync(appliance, bob);
        foreach (var c in new[] { aliceMain, aliceOther, bobFirst, bobSecond }) Assert.Empty(await SyncAsync(c, 0));

        var sent = await SendAsync(aliceMain, bob, "你好 🙂 hello");
        Assert.True(sent.Seq >= 1);

        foreach (var c in new[] { bobFirst, bobSecond, aliceOther })
        {
            var m = await NextMessageAsync(c);
            Assert.Equal((sent.Seq, alice, bob, "你好 🙂 hello", sent.TimeUnixMs), (m.Seq, m.From, m.To, m.Text, m.TimeUnixMs));
        }
        Assert.True(SeqNumber.TryRead((await NextAsync(aliceMain, FrameType.Delivered)).Payload, out ulong delivered));
        Assert.Equal(sent.Seq, delivered);
    }

    [Fact]
    public async Task Messages_sent_while_offline_arrive_in_order_at_the_next_sync_exactly_once()
    {
        using var appliance = new TestAppliance(Poller);
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        await using var _a = aliceConn;
        uint bob;
        await using (var bobConn = (await NewUserAsync(appliance, "bob")).Connection)
        {
            bob = (uint)(await TestUsers.WhoAmIAsync(bobConn)).OcNumber;
            await BefriendAsync(bobConn, alice, aliceConn);
        }

        var seqs = new List<ulong>();
        for (int i = 0; i < 5; i++) seqs.Add((await SendAsync(aliceConn, bob, $"offline {i}")).Seq);
        Assert.Equal(seqs.Order(), seqs);

        await using var bobAgain = await SessionAsync(appliance, bob);
        var backlog = await SyncAsync(bobAgain, 0);
        Assert.Equal(seqs, backlog.Select(m => m.Seq));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"offline {i}"), backlog.Select(m => m.Text));

        // From the cursor on, nothing again; and the session is live now.
        Assert.Empty(await SyncAsync(bobAgain, seqs[^1]));
        var live = await SendAsync(aliceConn, bob, "live");
        Assert.Equal(live.Seq, (await NextMessageAsync(bobAgain)).Seq);
    }

    [Fact]
    public async Task A_resend_with_the_same_id_is_acknowledged_again_and_stored_once()
    {
        using var appliance = new TestAppliance(Poller);
        var (_, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await BefriendAsync(aliceConn, bob, bobConn);

        var id = Guid.NewGuid().ToByteArray();
        var first = await SendAsync(aliceConn, bob, "once", id);
        var again = await SendAsync(aliceConn, bob, "once", id);
        Assert.Equal(first, again);

        var (_, history) = await HistoryAsync(bobConn, (await TestUsers.WhoAmIAsync(aliceConn)).OcNumber);
        Assert.Equal("once", Assert.Single(history).Text);
    }

    [Fact]
    public async Task Strangers_yourself_empty_text_and_anonymous_senders_are_refused()
    {
        using var appliance = new TestAppliance(Poller);
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;

        var stranger = await Assert.ThrowsAsync<OcErrorException>(() => SendAsync(aliceConn, bob, "hi"));
        Assert.Equal(ErrorCode.NotFriends, stranger.Code);

        await BefriendAsync(aliceConn, bob, bobConn);
        var self = await Assert.ThrowsAsync<OcErrorException>(() => SendAsync(aliceConn, alice, "me"));
        Assert.Equal(ErrorCode.InvalidArgument, self.Code);
        var empty = await Assert.ThrowsAsync<OcErrorException>(() => SendAsync(aliceConn, bob, ""));
        Assert.Equal(ErrorCode.InvalidArgument, empty.Code);

        await using var anonymous = await appliance.ConnectAsync();
        var noLogin = await Assert.ThrowsAsync<OcErrorException>(() => SendAsync(anonymous, bob, "hi"));
        Assert.Equal(ErrorCode.NotAuthenticated, noLogin.Code);

        // A removed friend can no longer be written to.
        await bobConn.RequestAsync((b, id) => UserNumber.Write(b, FrameType.FriendRemove, id, alice));
        await NextAsync(aliceConn, FrameType.FriendRemoved);
        var removed = await Assert.ThrowsAsync<OcErrorException>(() => SendAsync(aliceConn, bob, "still?"));
        Assert.Equal(ErrorCode.NotFriends, removed.Code);
    }

    [Fact]
    public async Task History_pages_newest_last_and_shows_only_your_own_conversations()
    {
        using var appliance = new TestAppliance(Poller);
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;
        await BefriendAsync(aliceConn, bob, bobConn);
        await BefriendAsync(carolConn, alice, aliceConn);

        var seqs = new List<ulong>();
        for (int i = 0; i < 25; i++) seqs.Add((await SendAsync(i % 2 == 0 ? aliceConn : bobConn, i % 2 == 0 ? bob : alice, $"m{i}")).Seq);
        await SendAsync(carolConn, alice, "carol to alice");

        var (more, newest) = await HistoryAsync(bobConn, alice, limit: 10);
        Assert.True(more);
        Assert.Equal(seqs[^10..], newest.Select(m => m.Seq));
        var (more2, older) = await HistoryAsync(bobConn, alice, before: newest[0].Seq, limit: 10);
        Assert.True(more2);
        Assert.Equal(seqs[5..15], older.Select(m => m.Seq));
        var (more3, oldest) = await HistoryAsync(bobConn, alice, before: older[0].Seq, limit: 10);
        Assert.False(more3);
        Assert.Equal(seqs[..5], oldest.Select(m => m.Seq));

        // Carol asking for "bob" sees her conversation with bob (none), never alice and bob's.
        Assert.Empty((await HistoryAsync(carolConn, bob)).Messages);
        Assert.Equal("carol to alice", Assert.Single((await HistoryAsync(carolConn, alice)).Messages).Text);

        var bad = await Assert.ThrowsAsync<OcErrorException>(() => HistoryAsync(bobConn, alice, limit: 0));
        Assert.Equal(ErrorCode.InvalidArgument, bad.Code);
    }

    [Fact]
    public async Task A_long_backlog_comes_in_pages()
    {
        // A backlog is thousands of messages sent as fast as the test can: no rate limit.
        using var appliance = new TestAppliance(Poller, configure: o => o with { RateLimits = OC.Appliance.Limits.RateLimitSettings.Off });
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await BefriendAsync(aliceConn, bob, bobConn);

        // 1,200 messages, 32 in flight at a time.
        var all = new List<ulong>();
        for (int batch = 0; batch < 1200; batch += 32)
        {
            var sends = Enumerable.Range(batch, Math.Min(32, 1200 - batch)).Select(i => SendAsync(aliceConn, bob, $"bulk {i}"));
            all.AddRange((await Task.WhenAll(sends)).Select(s => s.Seq));
        }

        var first = await bobConn.RequestAsync((b, id) => SeqNumber.Write(b, FrameType.Sync, id, 0));
        Assert.True(Synced.TryRead(first.Payload, out var page));
        Assert.True(page.More);
        int firstPage = 0;
        while (bobConn.Events.TryRead(out var frame)) if (frame.Type == FrameType.Message) firstPage++;
        Assert.Equal(1000, firstPage);
        var rest = await SyncAsync(bobConn, page.LastSeq);
        Assert.Equal(1200 - 1000, rest.Count);
        Assert.Equal(all.Order().Last(), rest[^1].Seq);
    }

    [Fact]
    public async Task Messages_survive_a_restart_and_seq_keeps_growing()
    {
        var data = TempDirectory.Create("oc-messages");
        try
        {
            uint alice, bob;
            ulong lastSeq;
            using (var first = new TestAppliance(Poller, dataDirectory: data))
            {
                var (a, aConn) = await NewUserAsync(first, "alice");
                var (b, bConn) = await NewUserAsync(first, "bob");
                (alice, bob) = (a, b);
                await BefriendAsync(aConn, bob, bConn);
                await SendAsync(aConn, bob, "before");
                lastSeq = (await SendAsync(bConn, alice, "restart")).Seq;
                await aConn.DisposeAsync();
                await bConn.DisposeAsync();
            }
            using var second = new TestAppliance(Poller, dataDirectory: data);
            await using var aliceAgain = await SessionAsync(second, alice);
            Assert.Equal(["before", "restart"], (await SyncAsync(aliceAgain, 0)).Select(m => m.Text));
            Assert.True((await SendAsync(aliceAgain, bob, "after")).Seq > lastSeq);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}

public sealed class MessageTests_epoll() : MessageTests("epoll");

public sealed class MessageTests_select() : MessageTests("select");
