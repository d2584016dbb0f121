using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Unit;

/// <summary>The friend request and block frames (docs/protocol.md, "Friend requests and blocks"): written, framed, read back; broken payloads refused.</summary>
public sealed class FriendMessagesTests
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
    public void The_new_frame_types_and_error_codes_have_their_documented_numbers()
    {
        Assert.Equal(
            [0x002B, 0x002C, 0x002D, 0x002E, 0x002F, 0x0070, 0x0071, 0x0072],
            new[] { FrameType.FriendRequest, FrameType.FriendRespond, FrameType.FriendRequests, FrameType.FriendRequestList,
                FrameType.Block, FrameType.Unblock, FrameType.BlockList, FrameType.BlockedUsers }.Select(t => (int)t));
        Assert.Equal([116, 117, 118, 119],
            new[] { ErrorCode.Blocked, ErrorCode.RequestPending, ErrorCode.NotRequested, ErrorCode.TooManyPendingRequests }.Select(c => (int)c));
    }

    [Fact]
    public void A_friend_request_event_and_list_read_back()
    {
        var entry = new FriendRequestEntry(123456, "bob 🙂", 1_764_093_600_123, Outgoing: false);
        var (h, p) = Frame(b => FriendRequestEntry.WriteEvent(b, entry));
        Assert.Equal((FrameType.FriendRequest, 0u), (h.Type, h.RequestId));
        // u32 + (u16 + 8 bytes of UTF-8) + i64 + u8
        Assert.Equal(4 + 2 + 8 + 8 + 1, p.Length);
        Assert.True(FriendRequestEntry.TryRead(p, out var read));
        Assert.Equal(entry, read);

        var list = new[] { entry, new FriendRequestEntry(654321, "carol", 5, Outgoing: true) };
        (h, p) = Frame(b => FriendRequestEntry.WriteList(b, 9, list));
        Assert.Equal((FrameType.FriendRequestList, 9u), (h.Type, h.RequestId));
        Assert.True(FriendRequestEntry.TryReadList(p, out var entries));
        Assert.Equal(list, entries);

        Assert.False(FriendRequestEntry.TryRead(p.AsSpan(0, p.Length - 1), out _));
        Assert.False(FriendRequestEntry.TryReadList([.. p, 0], out _));
    }

    [Fact]
    public void Respond_carries_an_accept_flag_that_is_0_or_1()
    {
        var (h, p) = Frame(b => FriendRespond.Write(b, 3, new FriendRespond(123456, Accept: true)));
        Assert.Equal((FrameType.FriendRespond, 3u), (h.Type, h.RequestId));
        Assert.Equal([0x00, 0x01, 0xE2, 0x40, 0x01], p);
        Assert.True(FriendRespond.TryRead(p, out var respond));
        Assert.Equal(new FriendRespond(123456, true), respond);
        Assert.True(FriendRespond.TryRead([0, 1, 0xE2, 0x40, 0], out var decline));
        Assert.False(decline.Accept);
        Assert.False(FriendRespond.TryRead([0, 1, 0xE2, 0x40, 2], out _));
        Assert.False(FriendRespond.TryRead([0, 1, 0xE2, 0x40], out _));
    }

    [Fact]
    public void The_blocked_users_list_reads_back_and_is_capped()
    {
        var users = new[] { new BlockedUser(111111, "x", -1), new BlockedUser(222222, "名前", long.MaxValue) };
        var (h, p) = Frame(b => BlockedUser.WriteList(b, 4, users));
        Assert.Equal((FrameType.BlockedUsers, 4u), (h.Type, h.RequestId));
        Assert.True(BlockedUser.TryReadList(p, out var read));
        Assert.Equal(users, read);

        var many = Enumerable.Range(0, ProtocolLimits.MaxRelationEntries + 5).Select(i => new BlockedUser((uint)(100000 + i), "n", i)).ToList();
        (_, p) = Frame(b => BlockedUser.WriteList(b, 5, many));
        Assert.True(BlockedUser.TryReadList(p, out var capped));
        Assert.Equal(ProtocolLimits.MaxRelationEntries, capped.Count);
    }
}
