using System.Buffers.Binary;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Fuzz;

/// <summary>What the fuzz campaign found in the message readers, each kept as a test.</summary>
public sealed class MessageReaderFuzzTests
{
    // The messages target's input: u16 frame type, then the payload.
    private static (FrameType Type, byte[] Payload) Message(string name)
    {
        byte[] input = FuzzRegressions.Read("messages", name);
        return ((FrameType)BinaryPrimitives.ReadUInt16BigEndian(input), input[2..]);
    }

    [Fact]
    public void A_user_list_whose_count_has_no_entries_behind_it_reserves_no_room_for_them()
    {
        // Found by the fuzzer: ONLINE_USERS with a count of 8,998 and 29 bytes after it made
        // UserList.TryRead reserve 1,024 entries (17 KB) before reading any.
        var (type, payload) = Message("online-users-count-without-entries");
        Assert.Equal(FrameType.OnlineUsers, type);

        long allocated = FuzzRegressions.AllocatedBy(() => UserList.TryRead(payload, out _));

        Assert.False(UserList.TryRead(payload, out _));
        Assert.InRange(allocated, 0, 256 + (16 * payload.Length));
    }

    [Fact]
    public void A_history_page_or_file_list_whose_count_has_no_entries_behind_it_reserves_no_room_for_them()
    {
        // The same flaw, by inspection, in the two other readers of counted lists: room for 500
        // messages (20 KB) and 1,000 files (64 KB) was reserved. Now a few hundred bytes: the list,
        // and the one entry read before the reader finds the payload over.
        byte[] history = [1, 0x01, 0xF4];   // more, 500 messages, none there
        byte[] files = [0x03, 0xE8];        // 1,000 files, none there

        Assert.InRange(FuzzRegressions.AllocatedBy(() => HistoryPage.TryRead(history, out _, out _)), 0, 1024);
        Assert.InRange(FuzzRegressions.AllocatedBy(() => FileEntry.TryReadList(files, out _)), 0, 1024);
        Assert.False(HistoryPage.TryRead(history, out _, out _));
        Assert.False(FileEntry.TryReadList(files, out _));
    }

    [Fact]
    public void Lists_that_are_there_still_read_whole()
    {
        var cards = Enumerable.Range(0, 300).Select(i => new UserCard((uint)(100000 + i), $"user {i}", i % 2 == 0, true)).ToList();
        var buffer = new ByteBuffer();
        UserList.Write(buffer, FrameType.Friends, 1, cards);

        Assert.True(UserList.TryRead(buffer.Span[Frame.HeaderSize..], out var read));
        Assert.Equal(cards, read);
    }
}
