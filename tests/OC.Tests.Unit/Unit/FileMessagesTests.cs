using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Unit;

/// <summary>The file frames (docs/protocol.md, "Files"): each written, framed and read back; broken payloads refused.</summary>
public class FileMessagesTests
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
    public void Every_file_frame_reads_back_what_was_written()
    {
        var sha = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var (h, p) = Frame(b => FileOffer.Write(b, 7, new FileOffer(123456, "../名前 🙂.txt", 1UL << 40, sha)));
        Assert.Equal((FrameType.FileOffer, 7u), (h.Type, h.RequestId));
        Assert.True(FileOffer.TryRead(p, out var offer));
        Assert.Equal((123456u, "../名前 🙂.txt", 1UL << 40), (offer.To, offer.Name, offer.Size));
        Assert.Equal(sha, offer.Sha256);

        Assert.False(offer.HashAtEnd);
        (h, p) = Frame(b => FileOffer.Write(b, 8, new FileOffer(1, "k", 5, sha, HashAtEnd: true)));
        Assert.True(FileOffer.TryRead(p, out var keyed));
        Assert.True(keyed.HashAtEnd);
        Assert.Equal(sha, keyed.Sha256);

        (h, p) = Frame(b => FileSeal.Write(b, 11, new FileSeal(0xfeedUL, sha)));
        Assert.Equal((FrameType.FileSeal, 11u), (h.Type, h.RequestId));
        Assert.True(FileSeal.TryRead(p, out var seal));
        Assert.Equal(0xfeedUL, seal.FileId);
        Assert.Equal(sha, seal.Sha256);

        (h, p) = Frame(b => FileAccepted.Write(b, 7, new FileAccepted(0xfeedUL, 4096, 8 << 20)));
        Assert.True(FileAccepted.TryRead(p, out var accepted));
        Assert.Equal(new FileAccepted(0xfeedUL, 4096, 8 << 20), accepted);

        var data = new byte[ProtocolLimits.MaxFileChunkBytes];
        data[^1] = 42;
        foreach (var type in new[] { FrameType.FileChunk, FrameType.FileData })
        {
            (h, p) = Frame(b => FileChunk.Write(b, type, 0xfeedUL, 1234, data));
            Assert.Equal((type, 0u), (h.Type, h.RequestId));
            Assert.True(FileChunk.TryRead(p, out ulong id, out ulong offset, out var got));
            Assert.Equal((0xfeedUL, 1234UL), (id, offset));
            Assert.Equal(data, got.ToArray());
        }

        (h, p) = Frame(b => FilePosition.Write(b, FrameType.FileAck, 0, 0xfeedUL, 999));
        Assert.True(FilePosition.TryRead(p, out ulong ackId, out ulong ackOffset));
        Assert.Equal((0xfeedUL, 999UL), (ackId, ackOffset));

        (h, p) = Frame(b => FileProgress.Write(b, new FileProgress(0xfeedUL, 2 << 20, 8 << 20, FileState.Complete)));
        Assert.True(FileProgress.TryRead(p, out var progress));
        Assert.Equal(new FileProgress(0xfeedUL, 2 << 20, 8 << 20, FileState.Complete), progress);

        var entry = new FileEntry(0xfeedUL, 123456, 654321, "a.txt", 10, 10, sha, 1_700_000_000_000, FileState.Complete);
        (h, p) = Frame(b => FileEntry.WriteList(b, 9, [entry, entry with { FileId = 1, Name = "b" }]));
        Assert.True(FileEntry.TryReadList(p, out var entries));
        Assert.Equal(2, entries.Count);
        Assert.Equal((entry.FileId, entry.From, entry.To, entry.Name, entry.CreatedUnixMs), (entries[0].FileId, entries[0].From, entries[0].To, entries[0].Name, entries[0].CreatedUnixMs));
        Assert.Equal(sha, entries[0].Sha256);
        Assert.Equal("b", entries[1].Name);

        (h, p) = Frame(b => FileEntry.WriteReceived(b, entry));
        Assert.Equal((FrameType.FileReceived, 0u), (h.Type, h.RequestId));
        Assert.True(FileEntry.TryRead(p, out var received));
        Assert.Equal(entry.Name, received.Name);
        Assert.Equal(0u, received.Room);

        (h, p) = Frame(b => FileEntry.WriteReceived(b, entry with { To = 0, Room = 654321 }));
        Assert.True(FileEntry.TryRead(p, out var roomFile));
        Assert.Equal((0u, 654321u), (roomFile.To, roomFile.Room));
    }

    [Fact]
    public void A_room_offer_and_a_room_list_carry_their_flag_and_the_one_to_one_frames_keep_their_bytes()
    {
        var sha = new byte[32];
        var (_, plain) = Frame(b => FileOffer.Write(b, 1, new FileOffer(123456, "a", 5, sha)));
        Assert.Equal(4 + 2 + 1 + 8 + 2 + 32, plain.Length); // no flags byte, as before room files
        var (_, room) = Frame(b => FileOffer.Write(b, 1, new FileOffer(654321, "a", 5, sha, HashAtEnd: true, ToRoom: true)));
        Assert.Equal(3, room[^1]);
        Assert.True(FileOffer.TryRead(room, out var offer));
        Assert.Equal((654321u, true, true), (offer.To, offer.HashAtEnd, offer.ToRoom));
        Assert.True(FileOffer.TryRead(plain, out var one));
        Assert.False(one.ToRoom);

        var (h, list) = Frame(b => FileListRequest.Write(b, 3, new FileListRequest(123456)));
        Assert.Equal((FrameType.FileList, 3u), (h.Type, h.RequestId));
        Assert.Equal(new byte[] { 0, 1, 0xe2, 0x40 }, list); // u32 peer only, as before
        Assert.True(FileListRequest.TryRead(list, out var peer));
        Assert.Equal(new FileListRequest(123456), peer);
        (_, list) = Frame(b => FileListRequest.Write(b, 3, new FileListRequest(654321, Room: true)));
        Assert.True(FileListRequest.TryRead(list, out var ofRoom));
        Assert.Equal(new FileListRequest(654321, Room: true), ofRoom);
    }

    [Fact]
    public void Broken_file_payloads_are_refused()
    {
        var (_, offer) = Frame(b => FileOffer.Write(b, 1, new FileOffer(1, "x", 1, new byte[31])));
        Assert.False(FileOffer.TryRead(offer, out _));
        var (_, keyed) = Frame(b => FileOffer.Write(b, 1, new FileOffer(1, "x", 1, new byte[32], HashAtEnd: true)));
        Assert.True(FileOffer.TryRead(keyed, out _));
        keyed[^1] = 4;
        Assert.False(FileOffer.TryRead(keyed, out _)); // an unknown flag
        Assert.False(FileListRequest.TryRead([0, 1, 0xe2, 0x40, 2], out _)); // an unknown FILE_LIST flag
        Assert.False(FileListRequest.TryRead([0, 1, 0xe2, 0x40, 1, 0], out _));
        Assert.False(FileListRequest.TryRead([0, 1, 0xe2], out _));
        Assert.False(FileOffer.TryRead([.. keyed[..^1], 1, 0], out _)); // more than one flags byte
        var (_, seal) = Frame(b => FileSeal.Write(b, 1, new FileSeal(1, new byte[32])));
        Assert.False(FileSeal.TryRead(seal[..^1], out _));
        var (_, progress) = Frame(b => FileProgress.Write(b, new FileProgress(1, 1, 1, (FileState)7)));
        Assert.False(FileProgress.TryRead(progress, out _));
        Assert.False(FilePosition.TryRead(new byte[15], out _, out _));
        Assert.False(FilePosition.TryRead(new byte[17], out _, out _));
        Assert.False(FileChunk.TryRead(new byte[15], out _, out _, out _));
        var (_, list) = Frame(b => FileEntry.WriteList(b, 1, []));
        Assert.False(FileEntry.TryReadList([.. list, 0], out _));
    }
}
