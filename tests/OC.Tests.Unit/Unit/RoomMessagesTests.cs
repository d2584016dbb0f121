using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Unit;

/// <summary>The room frames (docs/protocol.md, "Rooms"): written, framed, read back; broken payloads refused.</summary>
public sealed class RoomMessagesTests
{
    private static (FrameHeader Header, byte[] Payload) Frame(Action<ByteBuffer> write)
    {
        var buffer = new ByteBuffer();
        write(buffer);
        Assert.Equal(FrameStatus.Complete, FrameParser.TryReadFrame(buffer.Span, OC.Protocol.Framing.Frame.DefaultMaxPayload, out var header));
        Assert.Equal(buffer.Length, header.TotalLength);
        return (header, FrameParser.Payload(buffer.Span, header).ToArray());
    }

    [Fact]
    public void The_room_frame_types_and_error_codes_have_their_documented_numbers()
    {
        Assert.Equal(Enumerable.Range(0x0050, 16),
            new[] { FrameType.RoomCreate, FrameType.RoomInfo, FrameType.RoomInvite, FrameType.RoomInvitation, FrameType.RoomRespond,
                FrameType.RoomInvitations, FrameType.RoomInvitationList, FrameType.RoomJoin, FrameType.RoomLeave, FrameType.RoomKick,
                FrameType.RoomOwner, FrameType.RoomList, FrameType.Rooms, FrameType.RoomMembers, FrameType.RoomMemberList, FrameType.RoomEvent }
            .Select(t => (int)t));
        Assert.Equal(Enumerable.Range(125, 7),
            new[] { ErrorCode.UnknownRoom, ErrorCode.NotRoomMember, ErrorCode.NotRoomOwner, ErrorCode.RoomFull, ErrorCode.TooManyRooms,
                ErrorCode.AlreadyRoomMember, ErrorCode.NotInvited }.Select(c => (int)c));
    }

    [Fact]
    public void Room_requests_and_replies_read_back_and_a_byte_too_many_or_few_is_refused()
    {
        var (h, p) = Frame(b => RoomCreate.Write(b, 3, new RoomCreate("Lunch 🍜", Open: true)));
        Assert.Equal((FrameType.RoomCreate, 3u), (h.Type, h.RequestId));
        Assert.True(RoomCreate.TryRead(p, out var create));
        Assert.Equal(new RoomCreate("Lunch 🍜", true), create);
        Assert.False(RoomCreate.TryRead([.. p[..^1], 2], out _)); // open must be 0 or 1

        (h, p) = Frame(b => RoomRequest.Write(b, FrameType.RoomKick, 4, 482913, 654321));
        Assert.Equal(8, p.Length);
        Assert.True(RoomRequest.TryRead(p, out uint room, out uint number));
        Assert.Equal((482913u, 654321u), (room, number));
        Assert.False(RoomRequest.TryRead(p, out _)); // the one-field form refuses the two-field payload

        var rooms = new[] { new RoomInfo(482913, "Lunch", 123456, false, 3), new RoomInfo(730155, "Open plan", 654321, true, 12) };
        (h, p) = Frame(b => RoomInfo.WriteList(b, 5, rooms));
        Assert.Equal(FrameType.Rooms, h.Type);
        Assert.True(RoomInfo.TryReadList(p, out var read));
        Assert.Equal(rooms, read);
        Assert.False(RoomInfo.TryReadList(p.AsSpan(0, p.Length - 1), out _));

        var members = new[] { new RoomMember(123456, "alice", true, true), new RoomMember(654321, "bob", false, false) };
        (h, p) = Frame(b => RoomMemberList.Write(b, 6, 482913, members));
        Assert.True(RoomMemberList.TryRead(p, out room, out var readMembers));
        Assert.Equal(482913u, room);
        Assert.Equal(members, readMembers);

        var invitation = new RoomInvitation(482913, "Lunch", 123456, "alice", 1_764_093_600_123);
        (h, p) = Frame(b => RoomInvitation.WriteEvent(b, invitation));
        Assert.Equal((FrameType.RoomInvitation, 0u), (h.Type, h.RequestId));
        Assert.True(RoomInvitation.TryRead(p, out var readInvitation));
        Assert.Equal(invitation, readInvitation);
    }

    [Fact]
    public void A_room_event_reads_back_and_an_unknown_kind_is_refused()
    {
        var e = new RoomEvent(482913, "Lunch", RoomEventKind.Kicked, 654321, "bob", 123456);
        var (h, p) = Frame(b => RoomEvent.Write(b, e));
        Assert.Equal((FrameType.RoomEvent, 0u), (h.Type, h.RequestId));
        Assert.True(RoomEvent.TryRead(p, out var read));
        Assert.Equal(e, read);
        p[4 + 2 + 5] = 9; // the kind, after roomId and the name "Lunch"
        Assert.False(RoomEvent.TryRead(p, out _));
    }

    [Fact]
    public void A_room_name_follows_the_nickname_rules_with_its_own_words()
    {
        Assert.True(TextRules.TryValidateRoomName("  Lunch  ", out string valid, out _));
        Assert.Equal("Lunch", valid);
        Assert.False(TextRules.TryValidateRoomName("   ", out _, out string error));
        Assert.Equal("the room name is empty", error);
        Assert.False(TextRules.TryValidateRoomName("a\u202Eb", out _, out error));
        Assert.StartsWith("the room name contains", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Room_message_frames_have_their_documented_numbers_read_back_and_refuse_a_byte_too_many()
    {
        Assert.Equal(Enumerable.Range(0x0060, 4),
            new[] { FrameType.RoomSend, FrameType.RoomMessage, FrameType.RoomHistory, FrameType.RoomHistoryPage }.Select(t => (int)t));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5 }, Enum.GetValues<RoomMessageKind>().Select(k => (byte)k));

        var id = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var (h, p) = Frame(b => RoomSend.Write(b, 9, new RoomSend(482913, id, "hi @bob")));
        Assert.Equal((FrameType.RoomSend, 9u), (h.Type, h.RequestId));
        Assert.True(RoomSend.TryRead(p, out uint room, out var readId, out var text));
        Assert.Equal((482913u, "hi @bob"), (room, System.Text.Encoding.UTF8.GetString(text)));
        Assert.Equal(id, readId.ToArray());
        Assert.False(RoomSend.TryRead([.. p, 0], out _, out _, out _));
        Assert.False(RoomSend.TryRead(p.AsSpan(0, 4 + 2 + 15), out _, out _, out _)); // a short id

        var message = new RoomMessage(42, 1_764_093_600_123, 482913, 123456, RoomMessageKind.Text, 0, id, "hello, room");
        (h, p) = Frame(b => RoomMessage.Write(b, message));
        Assert.Equal((FrameType.RoomMessage, 0u), (h.Type, h.RequestId));
        Assert.True(RoomMessage.TryRead(p, out var readMessage));
        Assert.Equal((message.Seq, message.TimeUnixMs, message.RoomId, message.From, message.Kind, message.Subject, message.Text),
            (readMessage.Seq, readMessage.TimeUnixMs, readMessage.RoomId, readMessage.From, readMessage.Kind, readMessage.Subject, readMessage.Text));
        Assert.Equal(id, readMessage.MessageId);
        Assert.False(RoomMessage.TryRead([.. p, 0], out _));

        (h, p) = Frame(b => RoomHistoryRequest.Write(b, 10, new RoomHistoryRequest(482913, 99, 50)));
        Assert.True(RoomHistoryRequest.TryRead(p, out var request));
        Assert.Equal(new RoomHistoryRequest(482913, 99, 50), request);
        Assert.Equal(14, p.Length);

        var joined = new RoomMessage(40, 1_764_093_600_000, 482913, 123456, RoomMessageKind.Joined, 654321, [], "bob");
        (h, p) = Frame(b =>
        {
            var w = RoomHistoryPage.Begin(b, 11, 482913, more: true, 2);
            foreach (var m in new[] { joined, message })
                RoomHistoryPage.WriteEntry(ref w, m.Seq, m.TimeUnixMs, m.RoomId, m.From, m.Kind, m.Subject, m.MessageId, System.Text.Encoding.UTF8.GetBytes(m.Text));
            w.End();
        });
        Assert.True(RoomHistoryPage.TryRead(p, out room, out bool more, out var entries));
        Assert.Equal((482913u, true, 2), (room, more, entries.Count));
        Assert.Equal((RoomMessageKind.Joined, 654321u, "bob", 0), (entries[0].Kind, entries[0].Subject, entries[0].Text, entries[0].MessageId.Length));
        Assert.Equal(42ul, entries[1].Seq);
        Assert.False(RoomHistoryPage.TryRead(p.AsSpan(0, p.Length - 1), out _, out _, out _));
    }
}
