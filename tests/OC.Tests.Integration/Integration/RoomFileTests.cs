using System.Security.Cryptography;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Support;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>
/// Room files (docs/protocol.md, "Room files") against the real appliance, with real files in its
/// temp data folder and the real room store: a member's upload cut and resumed, every member
/// downloading it, and who is refused what (non-members, a member kicked out), the quota.
/// </summary>
public sealed class RoomFileTests
{
    private const int MiB = 1024 * 1024;

    private static async Task<ErrorCode> RefusedAsync(Func<Task> call) =>
        (await Assert.ThrowsAsync<OcErrorException>(call)).Code;

    private static async Task<byte[]> DownloadAsync(OcConnection connection, ulong fileId)
    {
        using var target = new MemoryStream();
        await OcFiles.DownloadAsync(connection, fileId, target);
        return target.ToArray();
    }

    /// <summary>An open room of alice's that bob and carol joined; dave is no member. All four are live (they get events).</summary>
    private static async Task<Room> RoomAsync(TestAppliance appliance)
    {
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        var (dave, daveConn) = await NewUserAsync(appliance, "dave");
        var room = await OcRooms.CreateAsync(aliceConn, "Shared", open: true);
        await OcRooms.JoinAsync(bobConn, room.RoomId);
        await OcRooms.JoinAsync(carolConn, room.RoomId);
        foreach (var c in new[] { aliceConn, bobConn, carolConn, daveConn }) await GoLiveAsync(c);
        return new Room(room.RoomId, alice, aliceConn, bob, bobConn, carol, carolConn, dave, daveConn);
    }

    private sealed record Room(uint Id, uint Alice, OcConnection AliceConn, uint Bob, OcConnection BobConn, uint Carol, OcConnection CarolConn,
        uint Dave, OcConnection DaveConn) : IAsyncDisposable
    {
        private bool _aliceCut;

        /// <summary>Closes alice's connection mid-way (it is not disposed twice).</summary>
        public async Task CutAliceAsync()
        {
            _aliceCut = true;
            await AliceConn.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_aliceCut) await AliceConn.DisposeAsync();
            foreach (var c in new[] { BobConn, CarolConn, DaveConn }) await c.DisposeAsync();
        }
    }

    private static async Task<FileEntry> NextReceivedAsync(OcConnection connection)
    {
        Assert.True(FileEntry.TryRead((await NextAsync(connection, FrameType.FileReceived)).Payload, out var entry));
        return entry;
    }

    [Fact]
    public async Task A_room_upload_cut_mid_way_resumes_and_every_member_downloads_it_byte_identical()
    {
        using var appliance = new TestAppliance();
        await using var r = await RoomAsync(appliance);
        var content = RandomNumberGenerator.GetBytes(12 * MiB + 4321);

        // Alice offers to the room, sends 5 MiB, sees some of it confirmed, and her connection is cut.
        var offer = new FileOffer(r.Id, "minutes.bin", (ulong)content.Length,
            await OcFiles.UploadKeyAsync("minutes.bin", new MemoryStream(content)), HashAtEnd: true, ToRoom: true);
        var accepted = await OcFiles.OfferAsync(r.AliceConn, offer);
        Assert.Equal(0ul, accepted.Offset);
        for (int sent = 0; sent < 5 * MiB; sent += ProtocolLimits.MaxFileChunkBytes)
        {
            await OcFiles.SendChunkAsync(r.AliceConn, accepted.FileId, sent, content.AsMemory(sent, ProtocolLimits.MaxFileChunkBytes));
        }
        FileProgress progress;
        do Assert.True(FileProgress.TryRead((await NextAsync(r.AliceConn, FrameType.FileProgress)).Payload, out progress));
        while (progress.Confirmed == 0);
        await r.CutAliceAsync();

        // A partial room file: the other members do not see it; its sender does, with the room.
        Assert.Empty(await OcFiles.ListRoomAsync(r.BobConn, r.Id));
        await using var aliceAgain = await SessionAsync(appliance, r.Alice);
        var partial = Assert.Single(await OcFiles.ListRoomAsync(aliceAgain, r.Id));
        Assert.Equal((accepted.FileId, FileState.Uploading, r.Id, 0u), (partial.FileId, partial.State, partial.Room, partial.To));

        // Offered again on a new connection: the same upload, resumed after what is stored.
        var resumedAt = new List<long>();
        ulong id = await OcFiles.UploadToRoomAsync(aliceAgain, r.Id, "minutes.bin", new MemoryStream(content), new SyncProgress(p => resumedAt.Add(p.Done)));
        Assert.Equal(accepted.FileId, id);
        Assert.True(resumedAt[0] > 0, "the second offer resumes after the bytes already stored");

        // Every live member hears of it, with the room in the entry.
        foreach (var member in new[] { r.BobConn, r.CarolConn })
        {
            var received = await NextReceivedAsync(member);
            Assert.Equal((id, r.Alice, 0u, r.Id, "minutes.bin", (ulong)content.Length, FileState.Complete),
                (received.FileId, received.From, received.To, received.Room, received.Name, received.Size, received.State));
        }

        // Every member downloads it byte-identical, the sender too.
        Assert.Equal(content, await DownloadAsync(r.BobConn, id));
        Assert.Equal(content, await DownloadAsync(r.CarolConn, id));
        Assert.Equal(content, await DownloadAsync(aliceAgain, id));

        // The room's list, and each member's own list (their rooms' files are in it).
        var listed = Assert.Single(await OcFiles.ListRoomAsync(r.CarolConn, r.Id));
        Assert.Equal((id, FileState.Complete, r.Id), (listed.FileId, listed.State, listed.Room));
        Assert.Equal(SHA256.HashData(content), listed.Sha256);
        Assert.Contains(await OcFiles.ListAsync(r.BobConn), e => e.FileId == id && e.Room == r.Id);
        // A list with one peer is of 1:1 files only.
        Assert.Empty(await OcFiles.ListAsync(r.BobConn, r.Alice));

        // And the room's stream has it once, as a File entry with the file's id and name.
        var (_, history) = await OcRoomMessages.HistoryAsync(r.CarolConn, r.Id, 0, 100);
        var entry = Assert.Single(history, m => m.Kind == RoomMessageKind.File);
        Assert.Equal((r.Alice, "minutes.bin", id), (entry.From, entry.Text, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(entry.MessageId)));
    }

    [Fact]
    public async Task A_non_member_is_refused_the_offer_the_list_and_the_download_of_a_room_file()
    {
        using var appliance = new TestAppliance();
        await using var r = await RoomAsync(appliance);
        var content = RandomNumberGenerator.GetBytes(300_000);
        ulong id = await OcFiles.UploadToRoomAsync(r.AliceConn, r.Id, "plan.txt", new MemoryStream(content));
        Assert.Equal(id, (await NextReceivedAsync(r.BobConn)).FileId);

        // Download: the same answer as for a file that does not exist.
        Assert.Equal(ErrorCode.FileNotFound, await RefusedAsync(() => DownloadAsync(r.DaveConn, id)));
        Assert.Equal(ErrorCode.FileNotFound, await RefusedAsync(() => DownloadAsync(r.DaveConn, id ^ 1)));
        // The room's list and an offer to the room: not a member, whether or not the room exists.
        uint noRoom = r.Id == 999_999 ? 999_998u : r.Id + 1;
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcFiles.ListRoomAsync(r.DaveConn, r.Id)));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcFiles.ListRoomAsync(r.DaveConn, noRoom)));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcFiles.UploadToRoomAsync(r.DaveConn, r.Id, "spam.txt", new MemoryStream(content))));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcFiles.UploadToRoomAsync(r.DaveConn, r.Id, "empty.txt", new MemoryStream())));
        // Not a room id at all.
        Assert.Equal(ErrorCode.UnknownRoom, await RefusedAsync(() => OcFiles.ListRoomAsync(r.DaveConn, 42)));
        Assert.Equal(ErrorCode.UnknownRoom, await RefusedAsync(() => OcFiles.UploadToRoomAsync(r.DaveConn, 42, "x.txt", new MemoryStream(content))));

        // Nothing of the room in the stranger's own list, no notice, and no file of theirs was stored.
        Assert.Empty(await OcFiles.ListAsync(r.DaveConn));
        Assert.DoesNotContain(FrameType.FileReceived, await FriendRequestTests.PendingEventsAsync(r.DaveConn));
        Assert.Single(Directory.GetFiles(Path.Combine(appliance.DataDirectory, "files"), "*.meta"));
    }

    [Fact]
    public async Task A_kicked_member_can_no_longer_list_or_download_the_rooms_files_nor_hears_of_new_ones()
    {
        using var appliance = new TestAppliance();
        await using var r = await RoomAsync(appliance);
        var first = RandomNumberGenerator.GetBytes(100_000);
        ulong before = await OcFiles.UploadToRoomAsync(r.CarolConn, r.Id, "before.txt", new MemoryStream(first));
        Assert.Equal(before, (await NextReceivedAsync(r.BobConn)).FileId);
        Assert.Equal(first, await DownloadAsync(r.BobConn, before));

        ulong bobs = await OcFiles.UploadToRoomAsync(r.BobConn, r.Id, "bobs.txt", new MemoryStream(first));
        Assert.Equal(bobs, (await NextReceivedAsync(r.CarolConn)).FileId);

        await OcRooms.KickAsync(r.AliceConn, r.Id, r.Bob);

        Assert.Equal(ErrorCode.FileNotFound, await RefusedAsync(() => DownloadAsync(r.BobConn, before)));
        // A former member cannot get even a file they sent to the room; it stays the room's (and on their quota).
        Assert.Equal(ErrorCode.FileNotFound, await RefusedAsync(() => DownloadAsync(r.BobConn, bobs)));
        Assert.Equal(first, await DownloadAsync(r.CarolConn, bobs));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcFiles.ListRoomAsync(r.BobConn, r.Id)));
        Assert.Equal(ErrorCode.NotRoomMember, await RefusedAsync(() => OcFiles.UploadToRoomAsync(r.BobConn, r.Id, "after.txt", new MemoryStream(first))));
        Assert.Empty(await OcFiles.ListAsync(r.BobConn));

        // A file sent after the kick: the members hear of it, the one kicked does not.
        var second = RandomNumberGenerator.GetBytes(50_000);
        ulong after = await OcFiles.UploadToRoomAsync(r.AliceConn, r.Id, "after.txt", new MemoryStream(second));
        // The members' notices are pushed together, at once: once carol has hers, bob would have
        // his. (Carol sent the first file on this connection: it had the reply, not a notice.)
        Assert.Equal(after, (await NextReceivedAsync(r.CarolConn)).FileId);
        Assert.DoesNotContain(FrameType.FileReceived, await FriendRequestTests.PendingEventsAsync(r.BobConn));
        Assert.Equal(second, await DownloadAsync(r.CarolConn, after));
        Assert.Equal(ErrorCode.FileNotFound, await RefusedAsync(() => DownloadAsync(r.BobConn, after)));

        // Joining again (an open room) gives the room's files back: they are the room's, not a history.
        await OcRooms.JoinAsync(r.BobConn, r.Id);
        Assert.Equal([before, bobs, after], (await OcFiles.ListRoomAsync(r.BobConn, r.Id)).Select(e => e.FileId));
        Assert.Equal(second, await DownloadAsync(r.BobConn, after));
    }

    [Fact]
    public async Task A_room_file_offered_with_its_hash_and_an_empty_one_are_told_to_every_member_as_they_complete()
    {
        using var appliance = new TestAppliance();
        await using var r = await RoomAsync(appliance);

        // Offered with the SHA-256 first (no FILE_SEAL): it completes with its last chunk.
        var content = RandomNumberGenerator.GetBytes(700_000);
        var accepted = await OcFiles.OfferAsync(r.BobConn, new FileOffer(r.Id, "hashed.bin", (ulong)content.Length, SHA256.HashData(content), ToRoom: true));
        for (int sent = 0; sent < content.Length; sent += ProtocolLimits.MaxFileChunkBytes)
        {
            int n = Math.Min(ProtocolLimits.MaxFileChunkBytes, content.Length - sent);
            await OcFiles.SendChunkAsync(r.BobConn, accepted.FileId, sent, content.AsMemory(sent, n));
        }
        FileProgress progress;
        do Assert.True(FileProgress.TryRead((await NextAsync(r.BobConn, FrameType.FileProgress)).Payload, out progress));
        while (progress.State == FileState.Uploading);
        Assert.Equal(FileState.Complete, progress.State);

        // An empty file: complete at its offer.
        ulong empty = await OcFiles.UploadToRoomAsync(r.BobConn, r.Id, "empty.txt", new MemoryStream());

        foreach (var member in new[] { r.AliceConn, r.CarolConn })
        {
            var first = await NextReceivedAsync(member);
            Assert.Equal((accepted.FileId, r.Bob, r.Id), (first.FileId, first.From, first.Room));
            var second = await NextReceivedAsync(member);
            Assert.Equal((empty, 0ul, r.Id), (second.FileId, second.Size, second.Room));
        }
        Assert.Equal(content, await DownloadAsync(r.AliceConn, accepted.FileId));
        Assert.Empty(await DownloadAsync(r.CarolConn, empty));
        // The uploading connection had the replies; the stranger hears of nothing.
        Assert.DoesNotContain(FrameType.FileReceived, await FriendRequestTests.PendingEventsAsync(r.BobConn));
        Assert.DoesNotContain(FrameType.FileReceived, await FriendRequestTests.PendingEventsAsync(r.DaveConn));
    }

    [Fact]
    public async Task A_room_file_counts_to_its_senders_quota_only()
    {
        using var appliance = new TestAppliance(configure: o => o with { FileQuota = 6 * MiB });
        await using var r = await RoomAsync(appliance);
        await BefriendAsync(r.AliceConn, r.Bob, r.BobConn);
        var four = RandomNumberGenerator.GetBytes(4 * MiB);
        await OcFiles.UploadToRoomAsync(r.AliceConn, r.Id, "four.bin", new MemoryStream(four));

        // Alice's 4 MiB in the room + 4 MiB more > 6 MiB: to the room or to a friend alike.
        var other = RandomNumberGenerator.GetBytes(4 * MiB);
        Assert.Equal(ErrorCode.QuotaExceeded, await RefusedAsync(() => OcFiles.UploadToRoomAsync(r.AliceConn, r.Id, "other.bin", new MemoryStream(other))));
        Assert.Equal(ErrorCode.QuotaExceeded, await RefusedAsync(() => OcFiles.UploadAsync(r.AliceConn, r.Bob, "other.bin", new MemoryStream(other))));

        // The members who received it are not charged: bob sends 4 MiB of his own.
        ulong bobs = await OcFiles.UploadToRoomAsync(r.BobConn, r.Id, "other.bin", new MemoryStream(other));
        Assert.Equal(other, await DownloadAsync(r.CarolConn, bobs));
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, too late for asserts).</summary>
    private sealed class SyncProgress(Action<FileTransferProgress> report) : IProgress<FileTransferProgress>
    {
        public void Report(FileTransferProgress value) => report(value);
    }
}
