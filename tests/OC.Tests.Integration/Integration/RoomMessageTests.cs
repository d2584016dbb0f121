using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>
/// Room messages on the wire against the real appliance: the stream of a room (messages and
/// membership entries in one order), live fan-out, SYNC merged with 1:1 messages under one
/// cursor, history from the member's join, and what a member who left or was kicked may no longer see.
/// </summary>
public sealed class RoomMessageTests
{
    private static async Task<ErrorCode> RefusedAsync(Func<Task> call) =>
        (await Assert.ThrowsAsync<OcErrorException>(call)).Code;

    internal static async Task<RoomMessage> NextRoomMessageAsync(OcConnection c)
    {
        Assert.True(RoomMessage.TryRead((await NextAsync(c, FrameType.RoomMessage)).Payload, out var m));
        return m;
    }

    /// <summary>SYNC until more = 0 and every event it brought, 1:1 and room, in order (as seqs and kinds).</summary>
    internal static async Task<List<(ulong Seq, FrameType Type, object Entry)>> SyncAllAsync(OcConnection connection, ulong afterSeq)
    {
        var entries = new List<(ulong, FrameType, object)>();
        while (true)
        {
            var synced = await OcMessages.SyncPageAsync(connection, afterSeq, peek: true);
            while (connection.Events.TryRead(out var frame))
            {
                if (frame.Type == FrameType.Message && ChatMessage.TryRead(frame.Payload, out var m)) entries.Add((m.Seq, frame.Type, m));
                else if (frame.Type == FrameType.RoomMessage && RoomMessage.TryRead(frame.Payload, out var r)) entries.Add((r.Seq, frame.Type, r));
            }
            afterSeq = synced.LastSeq;
            if (!synced.More) return entries;
        }
    }

    /// <summary>A room of alice's with bob in it (invited and accepted), both friends of alice.</summary>
    private static async Task<uint> RoomWithAsync(OcConnection owner, uint ownerNumber, params (uint Number, OcConnection Connection)[] members)
    {
        var room = await OcRooms.CreateAsync(owner, "lab", open: false);
        foreach (var (number, connection) in members)
        {
            await BefriendAsync(owner, number, connection);
            await OcRooms.InviteAsync(owner, room.RoomId, number);
            await OcRooms.AcceptAsync(connection, room.RoomId);
        }
        return room.RoomId;
    }

    [Fact]
    public async Task A_room_message_reaches_every_live_member_once_and_history_starts_at_each_members_join()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        var (_, daveConn) = await NewUserAsync(appliance, "dave");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;
        await using var _d = daveConn;

        uint room = await RoomWithAsync(aliceConn, alice, (bob, bobConn));
        var before = await OcRoomMessages.SendAsync(aliceConn, room, "before carol");
        await BefriendAsync(aliceConn, carol, carolConn);
        await OcRooms.InviteAsync(aliceConn, room, carol);
        await OcRooms.AcceptAsync(carolConn, room);
        await GoLiveAsync(bobConn);
        await GoLiveAsync(carolConn);
        await GoLiveAsync(aliceConn);

        var id = OcMessages.NewMessageId();
        var sent = await OcRoomMessages.SendAsync(bobConn, room, "hello room", id);
        foreach (var member in new[] { aliceConn, carolConn })
        {
            var m = await NextRoomMessageAsync(member);
            Assert.Equal((sent.Seq, room, bob, RoomMessageKind.Text, "hello room"), (m.Seq, m.RoomId, m.From, m.Kind, m.Text));
            Assert.Equal(id, m.MessageId);
        }
        // Sending again with the same id: the same SENT, nothing stored or pushed twice.
        Assert.Equal(sent.Seq, (await OcRoomMessages.SendAsync(bobConn, room, "hello room", id)).Seq);
        var next = await OcRoomMessages.SendAsync(aliceConn, room, "and again");
        Assert.Equal(next.Seq, (await NextRoomMessageAsync(carolConn)).Seq);

        // Carol's history begins with her own join; alice's has everything since the room began.
        var (more, carols) = await OcRoomMessages.HistoryAsync(carolConn, room, 0, 100);
        Assert.False(more);
        Assert.Equal(new[] { RoomMessageKind.Joined, RoomMessageKind.Text, RoomMessageKind.Text }, carols.Select(m => m.Kind));
        Assert.Equal((carol, alice, "carol"), (carols[0].Subject, carols[0].From, carols[0].Text));
        var (_, alices) = await OcRoomMessages.HistoryAsync(aliceConn, room, 0, 100);
        Assert.Equal(new[] { "alice", "bob", "before carol", "carol", "hello room", "and again" }, alices.Select(m => m.Text));
        Assert.Equal(alices.Select(m => m.Seq).Order(), alices.Select(m => m.Seq));
        // Paged: two at a time, older first, with more until the start.
        var (olderMore, page) = await OcRoomMessages.HistoryAsync(aliceConn, room, alices[^2].Seq, 2);
        Assert.True(olderMore);
        Assert.Equal(new[] { "before carol", "carol" }, page.Select(m => m.Text));
        Assert.Equal(before.Seq, page[0].Seq);

        // A non-member is refused everything.
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRoomMessages.SendAsync(daveConn, room, "let me in")));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRoomMessages.HistoryAsync(daveConn, room, 0, 10)));
        Assert.Equal(ErrorCode.UnknownRoom, await RefusedAsync(() => OcRoomMessages.SendAsync(daveConn, 42, "no")));
        Assert.Equal(ErrorCode.InvalidArgument, await RefusedAsync(() => daveConn.RequestAsync((b, rid) =>
            RoomHistoryRequest.Write(b, rid, new RoomHistoryRequest(room, 0, 0)))));
    }

    [Fact]
    public async Task SYNC_merges_rooms_and_1_to_1_in_one_order_and_an_offline_member_gets_everything_at_next_login()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;

        uint room = await RoomWithAsync(aliceConn, alice, (bob, bobConn));
        uint other = (await OcRooms.CreateAsync(aliceConn, "other", open: true)).RoomId;
        await OcRooms.JoinAsync(bobConn, other);
        await bobConn.DisposeAsync();

        // Bob is offline: 1:1 and both rooms interleave.
        var expected = new List<ulong>();
        for (int i = 0; i < 30; i++)
        {
            expected.Add((i % 3) switch
            {
                0 => (await SendAsync(aliceConn, bob, $"direct {i}")).Seq,
                1 => (await OcRoomMessages.SendAsync(aliceConn, room, $"lab {i}")).Seq,
                _ => (await OcRoomMessages.SendAsync(aliceConn, other, $"other {i}")).Seq,
            });
        }

        await using var bobAgain = await SessionAsync(appliance, bob);
        var all = await SyncAllAsync(bobAgain, 0);
        // From the start: alice's friendship has no messages; the rooms' entries from bob's joins on.
        var tail = all.Where(e => e.Seq >= expected[0]).ToList();
        Assert.Equal(expected, tail.Select(e => e.Seq));
        Assert.Equal(all.Select(e => e.Seq).Order(), all.Select(e => e.Seq));
        Assert.Equal(all.Count, all.Select(e => e.Seq).Distinct().Count());
        Assert.Contains(all, e => e.Entry is RoomMessage { Kind: RoomMessageKind.Joined, Subject: var s, RoomId: var r } && s == bob && r == room);
        // Nothing of the rooms from before bob joined: alice's own Joined entry of the first room.
        Assert.DoesNotContain(all, e => e.Entry is RoomMessage { Kind: RoomMessageKind.Joined, Subject: var s, RoomId: var r } && s == alice && r == room);
        // A cursor in the middle resumes without gap or duplicate.
        var resumed = await SyncAllAsync(bobAgain, expected[14]);
        Assert.Equal(expected.Skip(15), resumed.Select(e => e.Seq));
    }

    [Fact]
    public async Task A_kicked_member_gets_the_kick_and_nothing_after_and_cannot_page_past_it_or_send()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;

        uint room = await RoomWithAsync(aliceConn, alice, (bob, bobConn), (carol, carolConn));
        await GoLiveAsync(bobConn);
        await GoLiveAsync(carolConn);
        var beforeKick = await OcRoomMessages.SendAsync(aliceConn, room, "still here");
        Assert.Equal(beforeKick.Seq, (await NextRoomMessageAsync(bobConn)).Seq);
        Assert.Equal(beforeKick.Seq, (await NextRoomMessageAsync(carolConn)).Seq);

        await OcRooms.KickAsync(aliceConn, room, bob);
        var kick = await NextRoomMessageAsync(bobConn);
        Assert.Equal((RoomMessageKind.Kicked, bob, alice, "bob"), (kick.Kind, kick.Subject, kick.From, kick.Text));
        Assert.Equal(kick.Seq, (await NextRoomMessageAsync(carolConn)).Seq);

        var after = await OcRoomMessages.SendAsync(aliceConn, room, "bob is gone");
        Assert.Equal(after.Seq, (await NextRoomMessageAsync(carolConn)).Seq);
        // Bob: refused sending; his history ends with his kick; his SYNC too.
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRoomMessages.SendAsync(bobConn, room, "wait")));
        var (_, history) = await OcRoomMessages.HistoryAsync(bobConn, room, 0, 100);
        Assert.Equal(kick.Seq, history[^1].Seq);
        Assert.DoesNotContain(history, m => m.Seq > kick.Seq);
        var (_, older) = await OcRoomMessages.HistoryAsync(bobConn, room, after.Seq + 1, 100);
        Assert.DoesNotContain(older, m => m.Seq > kick.Seq);
        var synced = await SyncAllAsync(bobConn, beforeKick.Seq);
        Assert.Equal(new[] { kick.Seq }, synced.Select(e => e.Seq));
        // Nothing pushed to bob after the kick: the next room event he could get is none; a 1:1 message arrives first.
        var direct = await SendAsync(aliceConn, bob, "direct");
        var next = await connectionNextAsync(bobConn);
        Assert.Equal((FrameType.Message, direct.Seq), next);

        static async Task<(FrameType, ulong)> connectionNextAsync(OcConnection c)
        {
            using var timeout = new CancellationTokenSource(EventTimeout);
            while (true)
            {
                var frame = await c.Events.ReadAsync(timeout.Token);
                if (frame.Type == FrameType.Message && ChatMessage.TryRead(frame.Payload, out var m)) return (frame.Type, m.Seq);
                if (frame.Type == FrameType.RoomMessage && RoomMessage.TryRead(frame.Payload, out var r)) return (frame.Type, r.Seq);
            }
        }
    }

    [Fact]
    public async Task A_change_committed_but_not_entered_before_a_crash_is_entered_at_the_next_start()
    {
        string data = TempDirectory.Create("oc-room-reconcile");
        try
        {
            await ReconcileAsync(data);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    private static async Task ReconcileAsync(string data)
    {
        uint alice, bob, carol, room;
        using (var first = new TestAppliance(dataDirectory: data))
        {
            await first.Server.RoomsReconciled.WaitAsync(EventTimeout);
            var (a, aliceConn) = await NewUserAsync(first, "alice");
            var (b, bobConn) = await NewUserAsync(first, "bob");
            var (c, carolConn) = await NewUserAsync(first, "carol");
            (alice, bob, carol) = (a, b, c);
            room = (await OcRooms.CreateAsync(aliceConn, "lab", open: true)).RoomId;
            await OcRooms.JoinAsync(carolConn, room);
            await OcRoomMessages.SendAsync(aliceConn, room, "before the crash");
            await aliceConn.DisposeAsync();
            await bobConn.DisposeAsync();
            await carolConn.DisposeAsync();
        }
        // What a crash between the two commits leaves: bob a member in the account database only,
        // carol gone from it but still a member in the log.
        using (var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Path.Combine(data, "oc.db"), Connection = LiteDB.ConnectionType.Direct }))
        {
            OC.Appliance.Storage.RoomStore.AddMember(db, (int)room, (int)bob, DateTime.UtcNow);
            OC.Appliance.Storage.RoomStore.RemoveMember(db, (int)room, (int)carol);
        }

        using var second = new TestAppliance(dataDirectory: data);
        await second.Server.RoomsReconciled.WaitAsync(EventTimeout);
        await using var bobAgain = await SessionAsync(second, bob);
        await using var carolAgain = await SessionAsync(second, carol);
        await using var aliceAgain = await SessionAsync(second, alice);
        var (_, history) = await OcRoomMessages.HistoryAsync(bobAgain, room, 0, 100);
        // Bob's span begins with the Joined entry the start added (carol's Left may come before or after it).
        Assert.Equal((RoomMessageKind.Joined, bob, "bob"), (history[0].Kind, history[0].Subject, history[0].Text));
        Assert.All(history.Skip(1), m => Assert.Equal((RoomMessageKind.Left, carol, "carol"), (m.Kind, m.Subject, m.Text)));
        await OcRoomMessages.SendAsync(bobAgain, room, "after the restart");
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRoomMessages.SendAsync(carolAgain, room, "me too")));
        var (_, carols) = await OcRoomMessages.HistoryAsync(carolAgain, room, 0, 100);
        Assert.Equal((RoomMessageKind.Left, carol), (carols[^1].Kind, carols[^1].Subject));
        var (_, alices) = await OcRoomMessages.HistoryAsync(aliceAgain, room, 0, 100);
        Assert.Equal(new[] { "alice", "carol", "before the crash", "carol", "bob", "after the restart" }.Order(), alices.Select(m => m.Text).Order());
    }

    [Fact]
    public async Task The_status_page_and_metrics_count_room_messages_also_after_a_restart()
    {
        string data = TempDirectory.Create("oc-room-status");
        try
        {
            uint alice;
            using (var first = new TestAppliance(dataDirectory: data))
            {
                var (a, aliceConn) = await NewUserAsync(first, "alice");
                alice = a;
                await using var _a = aliceConn;
                uint room = (await OcRooms.CreateAsync(aliceConn, "count", open: true)).RoomId;
                await OcRoomMessages.SendAsync(aliceConn, room, "one");
                await OcRoomMessages.SendAsync(aliceConn, room, "two");
                Assert.Equal(2, first.Server.Messages.RoomMessagesStored);
            }
            using var again = new TestAppliance(dataDirectory: data);
            using var http = OC.Tests.Http.StatusClient.Create(again.HttpPort);
            var status = await OC.Tests.Http.StatusClient.GetStatusAsync(http);
            Assert.Equal(2, status.GetProperty("room_messages_stored").GetInt64());
            // The room's Joined entry has a seq of its own: three stored in all.
            Assert.Equal(3, status.GetProperty("messages_stored").GetInt64());
            var samples = OC.Tests.Http.PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
            Assert.Equal(2, Assert.Single(samples, s => s.Name == "oc_room_messages_stored_total").Value);
            Assert.Contains("data-k=\"room_messages_stored\" data-f=\"int\">2<", await http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task A_deleted_account_leaves_its_rooms_its_room_passes_on_and_the_stream_says_it_left()
    {
        using var appliance = new TestAppliance();
        await appliance.Server.RoomsReconciled.WaitAsync(EventTimeout);
        var (doomed, doomedConn) = await NewUserAsync(appliance, "doomed");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        await using var _b = bobConn;
        await using var _c = carolConn;
        await using var _d = doomedConn;
        uint room = (await OcRooms.CreateAsync(doomedConn, "owned", open: true)).RoomId;
        await OcRooms.JoinAsync(carolConn, room);
        await OcRooms.JoinAsync(bobConn, room);

        await using (var admin = await OcConnection.ConnectUnixAsync(appliance.Server.AdminSocketPath!, "tests"))
            await OcAdmin.DeleteUserAsync(admin, doomed);
        await appliance.Server.RoomsReconciled.WaitAsync(EventTimeout);

        // The room is bob's and carol's now, owned by the lower number; the stream says the account left.
        var members = await OcRooms.MembersAsync(bobConn, room);
        Assert.Equal(new[] { bob, carol }.Order(), members.Select(m => m.OcNumber).Order());
        Assert.Equal(Math.Min(bob, carol), Assert.Single(members, m => m.Owner).OcNumber);
        var (_, history) = await OcRoomMessages.HistoryAsync(carolConn, room, 0, 100);
        // Without a nickname: the account, and its nickname with it, is gone.
        Assert.Equal((RoomMessageKind.Left, doomed, ""), (history[^1].Kind, history[^1].Subject, history[^1].Text));
        await OcRoomMessages.SendAsync(bobConn, room, "still here");
    }
}
