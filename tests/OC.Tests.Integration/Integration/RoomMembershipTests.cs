using OC.Appliance.Rooms;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Http;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>
/// Rooms on the wire against the real appliance: creating, inviting (accepted and declined),
/// joining an open room, leaving, kicking and handing over, the limits, and who is refused what.
/// </summary>
public sealed class RoomMembershipTests
{
    private static async Task<ErrorCode> RefusedAsync(Func<Task> call) =>
        (await Assert.ThrowsAsync<OcErrorException>(call)).Code;

    /// <summary>The next ROOM_EVENT of <paramref name="kind"/> (others, such as earlier joins, are passed over).</summary>
    private static async Task<RoomEvent> NextRoomEventAsync(OcConnection c, RoomEventKind kind)
    {
        while (true)
        {
            Assert.True(RoomEvent.TryRead((await NextAsync(c, FrameType.RoomEvent)).Payload, out var e));
            if (e.Kind == kind) return e;
        }
    }

    [Fact]
    public async Task A_friend_is_invited_and_accepts_another_declines_and_the_inviter_is_told_only_of_the_join()
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

        var room = await OcRooms.CreateAsync(aliceConn, "  Lunch  ", open: false);
        Assert.InRange(room.RoomId, 100_000u, 999_999u);
        Assert.Equal(("Lunch", alice, false, (ushort)1), (room.Name, room.Owner, room.Open, room.Members));

        // Friends only.
        Assert.Equal(ErrorCode.NotFriends, await RefusedAsync(() => OcRooms.InviteAsync(aliceConn, room.RoomId, bob)));
        await BefriendAsync(aliceConn, bob, bobConn);
        await BefriendAsync(aliceConn, carol, carolConn);

        await OcRooms.InviteAsync(aliceConn, room.RoomId, bob);
        Assert.True(RoomInvitation.TryRead((await NextAsync(bobConn, FrameType.RoomInvitation)).Payload, out var invitation));
        Assert.Equal((room.RoomId, "Lunch", alice, "alice"), (invitation.RoomId, invitation.RoomName, invitation.From, invitation.FromNick));
        Assert.Equal(ErrorCode.RequestPending, await RefusedAsync(() => OcRooms.InviteAsync(aliceConn, room.RoomId, bob)));
        var listed = Assert.Single(await OcRooms.InvitationsAsync(bobConn));
        Assert.Equal((room.RoomId, alice), (listed.RoomId, listed.From));

        // Declining: the invitation is gone; the inviter hears nothing.
        await OcRooms.DeclineAsync(bobConn, room.RoomId);
        Assert.Empty(await OcRooms.InvitationsAsync(bobConn));
        Assert.DoesNotContain(FrameType.RoomEvent, await FriendRequestTests.PendingEventsAsync(aliceConn));
        Assert.Equal(ErrorCode.NotInvited, await RefusedAsync(() => OcRooms.AcceptAsync(bobConn, room.RoomId)));
        Assert.Equal(ErrorCode.NotInvited, await RefusedAsync(() => OcRooms.JoinAsync(bobConn, room.RoomId)));

        // Accepting: a member; the members are told who joined and who invited them.
        await OcRooms.InviteAsync(aliceConn, room.RoomId, carol);
        var joined = await OcRooms.AcceptAsync(carolConn, room.RoomId);
        Assert.Equal((room.RoomId, (ushort)2), (joined.RoomId, joined.Members));
        var e = await NextRoomEventAsync(aliceConn, RoomEventKind.Joined);
        Assert.Equal((room.RoomId, RoomEventKind.Joined, carol, "carol", alice), (e.RoomId, e.Kind, e.Subject, e.SubjectNick, e.Actor));
        Assert.Equal(ErrorCode.AlreadyRoomMember, await RefusedAsync(() => OcRooms.InviteAsync(aliceConn, room.RoomId, carol)));

        // Members see each other, with presence and the owner marked; others see nothing.
        await GoLiveAsync(aliceConn);
        var members = await OcRooms.MembersAsync(carolConn, room.RoomId);
        Assert.Equal(new[] { new RoomMember(alice, "alice", true, true), new RoomMember(carol, "carol", false, false) }.OrderBy(m => m.OcNumber), members);
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRooms.MembersAsync(daveConn, room.RoomId)));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRooms.InviteAsync(daveConn, room.RoomId, alice)));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRooms.LeaveAsync(daveConn, room.RoomId)));
        Assert.Empty(await OcRooms.ListAsync(daveConn));
        Assert.Equal([room.RoomId], (await OcRooms.ListAsync(carolConn)).Select(r => r.RoomId));
    }

    [Fact]
    public async Task Only_the_owner_kicks_and_hands_over_and_the_one_kicked_is_out()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;

        var room = await OcRooms.CreateAsync(aliceConn, "Open plan", open: true);
        await OcRooms.JoinAsync(bobConn, room.RoomId);
        var join = await NextRoomEventAsync(aliceConn, RoomEventKind.Joined);
        Assert.Equal((RoomEventKind.Joined, bob, bob), (join.Kind, join.Subject, join.Actor));
        var third = await OcRooms.JoinAsync(carolConn, room.RoomId);
        Assert.Equal((ushort)3, third.Members);

        Assert.Equal(ErrorCode.NotRoomOwner, await RefusedAsync(() => OcRooms.KickAsync(bobConn, room.RoomId, carol)));
        Assert.Equal(ErrorCode.NotRoomOwner, await RefusedAsync(() => OcRooms.GiveAsync(bobConn, room.RoomId, carol)));
        Assert.Equal(ErrorCode.InvalidArgument, await RefusedAsync(() => OcRooms.KickAsync(aliceConn, room.RoomId, alice)));
        // The owner leaves only as the last member.
        Assert.Equal(ErrorCode.InvalidArgument, await RefusedAsync(() => OcRooms.LeaveAsync(aliceConn, room.RoomId)));

        await OcRooms.KickAsync(aliceConn, room.RoomId, carol);
        var kicked = await NextRoomEventAsync(carolConn, RoomEventKind.Kicked);
        Assert.Equal((RoomEventKind.Kicked, carol, alice), (kicked.Kind, kicked.Subject, kicked.Actor));
        Assert.Equal(carol, (await NextRoomEventAsync(bobConn, RoomEventKind.Kicked)).Subject);
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRooms.MembersAsync(carolConn, room.RoomId)));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcRooms.KickAsync(aliceConn, room.RoomId, carol)));
        Assert.Empty(await OcRooms.ListAsync(carolConn));

        await OcRooms.GiveAsync(aliceConn, room.RoomId, bob);
        var handed = await NextRoomEventAsync(bobConn, RoomEventKind.OwnerChanged);
        Assert.Equal((RoomEventKind.OwnerChanged, bob, alice), (handed.Kind, handed.Subject, handed.Actor));
        Assert.Equal(ErrorCode.NotRoomOwner, await RefusedAsync(() => OcRooms.KickAsync(aliceConn, room.RoomId, bob)));
        Assert.Equal(bob, Assert.Single(await OcRooms.ListAsync(aliceConn)).Owner);

        // Alice may leave now; the last member leaving deletes the room.
        await OcRooms.LeaveAsync(aliceConn, room.RoomId);
        var left = await NextRoomEventAsync(bobConn, RoomEventKind.Left);
        Assert.Equal((RoomEventKind.Left, alice), (left.Kind, left.Subject));
        await OcRooms.LeaveAsync(bobConn, room.RoomId);
        Assert.Equal(ErrorCode.UnknownRoom, await RefusedAsync(() => OcRooms.JoinAsync(carolConn, room.RoomId)));
    }

    [Fact]
    public async Task Members_per_room_and_rooms_per_user_are_limited_and_rooms_survive_a_restart_counted_on_the_status_page()
    {
        string data = TempDirectory.Create("oc-rooms");
        try
        {
            uint roomId, alice, bob;
            using (var appliance = new TestAppliance(dataDirectory: data, configure: o => o with { RoomLimits = new RoomLimits(MaxMembers: 2, MaxRoomsPerUser: 1) }))
            {
                (alice, var aliceConn) = await NewUserAsync(appliance, "alice");
                (bob, var bobConn) = await NewUserAsync(appliance, "bob");
                var (_, carolConn) = await NewUserAsync(appliance, "carol");
                await using var _a = aliceConn;
                await using var _b = bobConn;
                await using var _c = carolConn;

                roomId = (await OcRooms.CreateAsync(aliceConn, "Pair", open: true)).RoomId;
                Assert.Equal(ErrorCode.TooManyRooms, await RefusedAsync(() => OcRooms.CreateAsync(aliceConn, "Second", open: true)));
                await OcRooms.JoinAsync(bobConn, roomId);
                Assert.Equal(ErrorCode.RoomFull, await RefusedAsync(() => OcRooms.JoinAsync(carolConn, roomId)));
                Assert.Equal(ErrorCode.AlreadyRoomMember, await RefusedAsync(() => OcRooms.JoinAsync(bobConn, roomId)));
                Assert.Equal(ErrorCode.UnknownRoom, await RefusedAsync(() => OcRooms.JoinAsync(carolConn, 42)));
                Assert.Equal(ErrorCode.InvalidArgument, await RefusedAsync(() => OcRooms.CreateAsync(carolConn, "   ", open: true)));
                Assert.Equal(1, appliance.Server.Storage.Counters.Rooms);
            }
            using (var again = new TestAppliance(dataDirectory: data))
            {
                await using var bobConn = await SessionAsync(again, bob);
                var room = Assert.Single(await OcRooms.ListAsync(bobConn));
                Assert.Equal((roomId, "Pair", alice, true, (ushort)2), (room.RoomId, room.Name, room.Owner, room.Open, room.Members));
                // The status page, /api/status and /metrics count it, from the database opened again.
                using var http = StatusClient.Create(again.HttpPort);
                Assert.Equal(1, (await StatusClient.GetStatusAsync(http)).GetProperty("rooms").GetInt64());
                var samples = PrometheusText.Parse(await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), out _);
                Assert.Equal(1, Assert.Single(samples, s => s.Name == "oc_rooms").Value);
                Assert.Contains("data-k=\"rooms\" data-f=\"int\">1<", await http.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
            }
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }
}
