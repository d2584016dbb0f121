using System.Security.Cryptography;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Support;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>Files over the protocol against the real appliance, with real files in its temp data folder.</summary>
public sealed class FileTransferTests
{
    private static async Task<(uint Alice, OcConnection AliceConn, uint Bob, OcConnection BobConn)> FriendsAsync(TestAppliance appliance)
    {
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await BefriendAsync(aliceConn, bob, bobConn);
        return (alice, aliceConn, bob, bobConn);
    }

    private static async Task<byte[]> DownloadAsync(OcConnection connection, ulong fileId)
    {
        using var target = new MemoryStream();
        await OcFiles.DownloadAsync(connection, fileId, target);
        return target.ToArray();
    }

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task An_upload_downloads_byte_identical_and_the_live_recipient_hears_of_it(string engine)
    {
        using var appliance = new TestAppliance(tlsEngine: engine);
        var (alice, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;
        Assert.Empty(await SyncAsync(bobConn, 0));

        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 12345);
        ulong id = await OcFiles.UploadAsync(aliceConn, bob, "photo.jpg", new MemoryStream(content));

        Assert.True(FileEntry.TryRead((await NextAsync(bobConn, FrameType.FileReceived)).Payload, out var received));
        Assert.Equal((id, alice, bob, "photo.jpg", (ulong)content.Length, FileState.Complete), (received.FileId, received.From, received.To, received.Name, received.Size, received.State));

        Assert.Equal(content, await DownloadAsync(bobConn, id));
        Assert.Equal(content, await DownloadAsync(aliceConn, id));
        var listed = Assert.Single(await OcFiles.ListAsync(bobConn, alice));
        Assert.Equal(SHA256.HashData(content), listed.Sha256);

        // Stored under the appliance's id, complete (no .part left).
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(appliance.DataDirectory, "files", id.ToString("x16"))));
        Assert.False(File.Exists(Path.Combine(appliance.DataDirectory, "files", id.ToString("x16") + ".part")));
    }

    [Fact]
    public async Task An_empty_file_is_complete_at_once_and_downloads_empty()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;

        ulong id = await OcFiles.UploadAsync(aliceConn, bob, "empty.txt", new MemoryStream());
        Assert.Empty(await DownloadAsync(bobConn, id));
        Assert.Equal(0ul, Assert.Single(await OcFiles.ListAsync(bobConn)).Size);
    }

    [Fact]
    public async Task An_upload_cut_off_mid_way_resumes_from_the_confirmed_offset_and_ends_byte_identical()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _b = bobConn;
        var content = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);
        var fileId = await SendPartAsync(aliceConn, bob, content, 5 * 1024 * 1024);
        await aliceConn.DisposeAsync();

        // Not visible to the recipient while partial.
        Assert.Empty(await OcFiles.ListAsync(bobConn));

        await using var again = await SessionAsync(appliance, alice);
        var resumedAt = new List<long>();
        ulong id = await OcFiles.UploadAsync(again, bob, "big.bin", new MemoryStream(content), new SyncProgress(p => resumedAt.Add(p.Done)));
        Assert.Equal(fileId, id);
        Assert.True(resumedAt[0] > 0, "the second offer resumes after the bytes already stored");
        Assert.Equal(content, await DownloadAsync(bobConn, id));
    }

    [Fact]
    public async Task An_upload_resumes_after_the_appliance_restarts()
    {
        string data = TempDirectory.Create("oc-files");
        try
        {
            var content = RandomNumberGenerator.GetBytes(9 * 1024 * 1024);
            uint alice, bob;
            ulong fileId;
            using (var first = new TestAppliance(dataDirectory: data))
            {
                var (a, aliceConn, b, bobConn) = await FriendsAsync(first);
                (alice, bob) = (a, b);
                await using var _b = bobConn;
                await using var _a = aliceConn;
                fileId = await SendPartAsync(aliceConn, bob, content, 6 * 1024 * 1024);
            }

            using var second = new TestAppliance(dataDirectory: data);
            await using var aliceAgain = await SessionAsync(second, alice);
            var offsets = new List<long>();
            ulong id = await OcFiles.UploadAsync(aliceAgain, bob, "big.bin", new MemoryStream(content), new SyncProgress(p => offsets.Add(p.Done)));
            Assert.Equal(fileId, id);
            Assert.True(offsets[0] > 0);
            await using var bobAgain = await SessionAsync(second, bob);
            Assert.Equal(content, await DownloadAsync(bobAgain, id));
        }
        finally
        {
            TempDirectory.Delete(data);
        }
    }

    [Fact]
    public async Task A_wrong_hash_is_rejected_and_never_shown_to_the_recipient()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;
        var content = RandomNumberGenerator.GetBytes(300_000);
        var accepted = await OcFiles.OfferAsync(aliceConn, new FileOffer(bob, "x.bin", (ulong)content.Length, new byte[32]));
        await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, 0, content.AsMemory(0, 200_000));
        await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, 200_000, content.AsMemory(200_000));
        // The first chunk may be confirmed on its own (the worker caught up) before the verdict.
        FileProgress progress;
        do Assert.True(FileProgress.TryRead((await NextAsync(aliceConn, FrameType.FileProgress)).Payload, out progress));
        while (progress.State == FileState.Uploading && progress.Confirmed == 200_000);
        Assert.Equal(FileState.Rejected, progress.State);

        Assert.Empty(await OcFiles.ListAsync(bobConn));
        Assert.Empty(await OcFiles.ListAsync(aliceConn));
        var e = await Assert.ThrowsAsync<OcErrorException>(() => DownloadAsync(bobConn, accepted.FileId));
        Assert.Equal(ErrorCode.FileNotFound, e.Code);
        Assert.Empty(Directory.GetFiles(Path.Combine(appliance.DataDirectory, "files")));
    }

    [Fact]
    public async Task A_stranger_can_neither_get_nor_list_a_file_and_learns_nothing_of_it()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        var (_, mallory) = await NewUserAsync(appliance, "mallory");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _m = mallory;
        ulong id = await OcFiles.UploadAsync(aliceConn, bob, "secret.txt", new MemoryStream("secret"u8.ToArray()));

        var onTheirs = await Assert.ThrowsAsync<OcErrorException>(() => DownloadAsync(mallory, id));
        var onNothing = await Assert.ThrowsAsync<OcErrorException>(() => DownloadAsync(mallory, id ^ 0x5555));
        Assert.Equal(ErrorCode.FileNotFound, onTheirs.Code);
        Assert.Equal(onNothing.Code, onTheirs.Code);
        Assert.Empty(await OcFiles.ListAsync(mallory));
        Assert.Empty(await OcFiles.ListAsync(mallory, bob));
    }

    [Fact]
    public async Task Only_friends_may_offer_and_limits_are_checked_with_clear_errors()
    {
        using var appliance = new TestAppliance(configure: o => o with { MaxFileSize = 1000 });
        var (alice, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        var (carol, carolConn) = await NewUserAsync(appliance, "carol");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;
        var sha = SHA256.HashData("x"u8);

        async Task<ErrorCode> OfferErrorAsync(OcConnection c, uint to, string name, ulong size) =>
            (await Assert.ThrowsAsync<OcErrorException>(() => OcFiles.OfferAsync(c, new FileOffer(to, name, size, sha)))).Code;

        Assert.Equal(ErrorCode.NotFriends, await OfferErrorAsync(carolConn, alice, "x", 1));
        Assert.Equal(ErrorCode.InvalidArgument, await OfferErrorAsync(aliceConn, alice, "x", 1));
        Assert.Equal(ErrorCode.FileTooLarge, await OfferErrorAsync(aliceConn, bob, "x", 1001));
        Assert.Equal(ErrorCode.InvalidArgument, await OfferErrorAsync(aliceConn, bob, "", 1));
        Assert.Equal(ErrorCode.InvalidArgument, await OfferErrorAsync(aliceConn, bob, new string('a', 300), 1));
        Assert.Equal(ErrorCode.InvalidArgument, await OfferErrorAsync(aliceConn, bob, "a\nb", 1));
        Assert.Equal(ErrorCode.FileRejected, await OfferErrorAsync(aliceConn, bob, "empty", 0));
        // The connection stays usable after each refusal.
        Assert.Empty(await OcFiles.ListAsync(aliceConn));
    }

    [Fact]
    public async Task The_quota_counts_partial_uploads_and_the_sweep_deletes_stale_ones_which_frees_it()
    {
        using var appliance = new TestAppliance(configure: o => o with { FileQuota = 6 * 1024 * 1024, PartialTtl = TimeSpan.FromSeconds(1) });
        var (alice, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _b = bobConn;
        var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        ulong partial = await SendPartAsync(aliceConn, bob, content, 3 * 1024 * 1024);

        // 5 MiB partial + 2 MiB > 6 MiB.
        var other = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcFiles.OfferAsync(aliceConn, new FileOffer(bob, "other", (ulong)other.Length, SHA256.HashData(other))));
        Assert.Equal(ErrorCode.QuotaExceeded, e.Code);

        await aliceConn.DisposeAsync();
        await using var again = await SessionAsync(appliance, alice);
        // No signal can say the partial is stale: its age is wall-clock time (the file worker
        // stamps it with DateTimeOffset.UtcNow when the closed connection lets go of it, and the
        // sweep compares with UtcNow), so the 1 s TTL must really pass. Each look sweeps; the
        // FILE_LIST after it runs on the same worker, after the sweep. With a TimeProvider in the
        // appliance this would advance a fake clock past the TTL and sweep once.
        await Eventually.TrueAsync(async () =>
        {
            appliance.Server.SweepFilesNow();
            return (await OcFiles.ListAsync(again)).Count == 0;
        }, Eventually.Deadline, "the sweep to delete the partial upload once it is older than the TTL");
        Assert.False(File.Exists(Path.Combine(appliance.DataDirectory, "files", partial.ToString("x16") + ".part")));
        ulong id = await OcFiles.UploadAsync(again, bob, "other", new MemoryStream(other));
        Assert.NotEqual(partial, id);
    }

    [Fact]
    public async Task Names_that_look_like_paths_are_kept_as_names_and_never_used_as_paths()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;
        string[] names = ["../../etc/passwd", "/abs/path", "con", "NUL.txt", "..", "a/../../b", "名前.txt"];
        foreach (string name in names)
        {
            await OcFiles.UploadAsync(aliceConn, bob, name, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(name)));
        }

        var listed = await OcFiles.ListAsync(bobConn);
        Assert.Equal(names, listed.Select(e => e.Name));
        // Only appliance-chosen hex ids (checked before the downloads, which rewrite sidecars) in the files folder, nothing anywhere else.
        var files = Directory.GetFiles(Path.Combine(appliance.DataDirectory, "files")).Select(Path.GetFileName).ToList();
        Assert.Equal(names.Length * 2, files.Count);
        Assert.All(files, f => Assert.Matches("^[0-9a-f]{16}(\\.meta)?$", f));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(appliance.DataDirectory), p => Path.GetFileName(p) is "etc" or "abs" or "con" or "b");
        foreach (var e in listed) Assert.Equal(System.Text.Encoding.UTF8.GetBytes(e.Name), await DownloadAsync(bobConn, e.FileId));
    }

    [Fact]
    public async Task A_recipient_who_was_offline_hears_of_the_file_after_sync_until_they_download_it()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await bobConn.DisposeAsync();
        ulong id = await OcFiles.UploadAsync(aliceConn, bob, "later.txt", new MemoryStream("hello later"u8.ToArray()));

        await using (var bobAgain = await SessionAsync(appliance, bob))
        {
            // SYNC by hand: the helper drops the events it finds queued, and the notice may be among them.
            Assert.False((await OcMessages.SyncPageAsync(bobAgain, 0)).More);
            Assert.True(FileEntry.TryRead((await NextAsync(bobAgain, FrameType.FileReceived)).Payload, out var notice));
            Assert.Equal((id, alice, "later.txt"), (notice.FileId, notice.From, notice.Name));
            Assert.Equal("hello later"u8.ToArray(), await DownloadAsync(bobAgain, id));
        }

        // A second file, which bob does not download: the next session hears of it, and only of it.
        ulong second = await OcFiles.UploadAsync(aliceConn, bob, "second.txt", new MemoryStream("not yet"u8.ToArray()));
        await using var bobThird = await SessionAsync(appliance, bob);
        Assert.False((await OcMessages.SyncPageAsync(bobThird, 0)).More);
        // The notices that a SYNC brings leave together, so the one for the second file is the
        // signal that they have been sent: one for the downloaded file would be before it, or
        // after it and before the message.
        Assert.True(FileEntry.TryRead((await NextAsync(bobThird, FrameType.FileReceived)).Payload, out var pending));
        Assert.Equal(second, pending.FileId);
        await SendAsync(aliceConn, bob, "ping");
        // The next of the two kinds is the message: no FILE_RECEIVED for a file already downloaded.
        using var timeout = new CancellationTokenSource(EventTimeout);
        ReceivedFrame next;
        do next = await bobThird.Events.ReadAsync(timeout.Token);
        while (next.Type is not (FrameType.Message or FrameType.FileReceived));
        Assert.Equal(FrameType.Message, next.Type);
    }

    [Fact]
    public async Task A_download_that_is_not_acknowledged_stops_at_the_window_and_the_connection_is_not_cut()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;
        // The window (docs/protocol.md, "Pacing") is 16 MiB beyond the last FILE_ACK.
        const int Window = 16 * 1024 * 1024;
        var content = RandomNumberGenerator.GetBytes(Window + 8 * 1024 * 1024);
        ulong id = await OcFiles.UploadAsync(aliceConn, bob, "window.bin", new MemoryStream(content));

        var reply = await bobConn.RequestAsync((b, rid) => FilePosition.Write(b, FrameType.FileGet, rid, id, 0));
        Assert.Equal(FrameType.FileEntries, reply.Type);
        long received = 0;
        using (var full = new CancellationTokenSource(EventTimeout))
        {
            while (received < Window)
            {
                var frame = await bobConn.Events.ReadAsync(full.Token);
                if (frame.Type == FrameType.FileData) received += frame.Payload.Length - FileChunk.HeaderBytes;
            }
        }
        // Unacknowledged, nothing beyond the window comes. The reply to a FILE_LIST is the signal
        // that nothing more is on its way: the appliance posts a download's next reads to the file
        // worker as soon as the socket took the data before them (Pump on output drained), so
        // before we could read that data; the worker runs jobs in the order they were posted and
        // the loop writes their results in that order, so a FILE_DATA beyond the window would
        // arrive before the FILE_ENTRIES.
        await OcFiles.ListAsync(bobConn);
        while (bobConn.Events.TryRead(out var frame))
        {
            if (frame.Type == FrameType.FileData) received += frame.Payload.Length - FileChunk.HeaderBytes;
        }
        Assert.Equal(Window, received);
        Assert.Null(bobConn.ClosedBecause);
        await bobConn.RequestAsync((b, rid) => EmptyFrame.Write(b, FrameType.Ping, rid));

        // Acknowledging what arrived lets the rest come; the bytes are the file's.
        await bobConn.SendAsync(b => FilePosition.Write(b, FrameType.FileAck, Frame.NoRequest, id, (ulong)received));
        var next = await NextAsync(bobConn, FrameType.FileData);
        Assert.True(FileChunk.TryRead(next.Payload, out _, out ulong offset, out var data));
        Assert.Equal(content.AsSpan((int)offset, data.Length).ToArray(), data.ToArray());
    }

    [Fact]
    public async Task A_chunk_out_of_order_or_beyond_the_credit_closes_the_connection_and_a_stray_one_is_dropped()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;
        var content = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        var accepted = await OcFiles.OfferAsync(aliceConn, new FileOffer(bob, "c.bin", (ulong)content.Length, SHA256.HashData(content)));

        // A chunk for a file this connection does not hold: dropped, the connection carries on.
        await OcFiles.SendChunkAsync(bobConn, accepted.FileId, 0, content.AsMemory(0, 1000));
        await bobConn.RequestAsync((b, rid) => EmptyFrame.Write(b, FrameType.Ping, rid));

        // Beyond the credit: the first byte past offset + credit is a violation.
        await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, (long)accepted.Credit, content.AsMemory((int)accepted.Credit, 1000));
        var closed = await Assert.ThrowsAsync<OcConnectionException>(() => aliceConn.RequestAsync((b, rid) => EmptyFrame.Write(b, FrameType.Ping, rid)));
        Assert.Contains("credit", closed.Message, StringComparison.Ordinal);

        // Before a login a chunk is out of place.
        await using var anonymous = await appliance.ConnectAsync();
        await OcFiles.SendChunkAsync(anonymous, accepted.FileId, 0, content.AsMemory(0, 10));
        await Assert.ThrowsAsync<OcConnectionException>(() => anonymous.RequestAsync((b, rid) => EmptyFrame.Write(b, FrameType.Ping, rid)));
    }

    [Fact]
    public async Task An_upload_offered_with_its_hash_first_resumes_by_that_hash()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _b = bobConn;
        var content = RandomNumberGenerator.GetBytes(10 * 1024 * 1024 + 5);
        ulong fileId = await SendPartAsync(aliceConn, bob, content, 4 * 1024 * 1024, hashFirst: true);
        await aliceConn.DisposeAsync();

        await using var again = await SessionAsync(appliance, alice);
        var accepted = await OcFiles.OfferAsync(again, new FileOffer(bob, "another name.bin", (ulong)content.Length, SHA256.HashData(content)));
        Assert.Equal(fileId, accepted.FileId);
        Assert.True(accepted.Offset > 0);
        long next = (long)accepted.Offset, limit = next + accepted.Credit;
        while (true)
        {
            while (next < content.Length && next < limit)
            {
                int n = (int)Math.Min(ProtocolLimits.MaxFileChunkBytes, Math.Min(content.Length, limit) - next);
                await OcFiles.SendChunkAsync(again, fileId, next, content.AsMemory((int)next, n));
                next += n;
            }
            Assert.True(FileProgress.TryRead((await NextAsync(again, FrameType.FileProgress)).Payload, out var progress));
            if (progress.State == FileState.Complete) break;
            Assert.Equal(FileState.Uploading, progress.State);
            limit = (long)(progress.Confirmed + progress.Credit);
        }
        Assert.Equal(content, await DownloadAsync(bobConn, fileId));
    }

    [Fact]
    public async Task A_seal_with_the_wrong_hash_deletes_the_upload_and_the_recipient_never_sees_it()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;
        var content = RandomNumberGenerator.GetBytes(300_000);
        var accepted = await OcFiles.OfferAsync(aliceConn, new FileOffer(bob, "x.bin", (ulong)content.Length, new byte[32], HashAtEnd: true));
        await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, 0, content.AsMemory(0, 200_000));
        await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, 200_000, content.AsMemory(200_000));

        var e = await Assert.ThrowsAsync<OcErrorException>(() => OcFiles.SealAsync(aliceConn, accepted.FileId, SHA256.HashData(content.AsSpan(1))));
        Assert.Equal(ErrorCode.FileRejected, e.Code);
        Assert.Empty(await OcFiles.ListAsync(bobConn));
        Assert.Empty(await OcFiles.ListAsync(aliceConn));
        Assert.Empty(Directory.GetFiles(Path.Combine(appliance.DataDirectory, "files")));
    }

    [Fact]
    public async Task A_seal_before_the_last_byte_is_refused_and_the_upload_still_completes()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _a = aliceConn;
        await using var _b = bobConn;
        Assert.Empty(await SyncAsync(bobConn, 0)); // a live session: told of files as they complete
        var content = RandomNumberGenerator.GetBytes(300_000);
        var accepted = await OcFiles.OfferAsync(aliceConn, new FileOffer(bob, "x.bin", (ulong)content.Length, new byte[32], HashAtEnd: true));
        await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, 0, content.AsMemory(0, 100_000));

        var early = await Assert.ThrowsAsync<OcErrorException>(() => OcFiles.SealAsync(aliceConn, accepted.FileId, SHA256.HashData(content)));
        Assert.Equal(ErrorCode.InvalidArgument, early.Code);
        Assert.Empty(await OcFiles.ListAsync(bobConn));

        await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, 100_000, content.AsMemory(100_000));
        var entry = await OcFiles.SealAsync(aliceConn, accepted.FileId, SHA256.HashData(content));
        Assert.Equal(FileState.Complete, entry.State);
        Assert.Equal(SHA256.HashData(content), entry.Sha256);
        Assert.True(FileEntry.TryRead((await NextAsync(bobConn, FrameType.FileReceived)).Payload, out var received));
        Assert.Equal(accepted.FileId, received.FileId);
        Assert.Equal(content, await DownloadAsync(bobConn, accepted.FileId));
    }

    [Fact]
    public async Task An_upload_cut_after_its_last_byte_is_sealed_when_it_is_offered_again()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn, bob, bobConn) = await FriendsAsync(appliance);
        await using var _b = bobConn;
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var key = await OcFiles.UploadKeyAsync("whole.bin", new MemoryStream(content));
        var accepted = await OcFiles.OfferAsync(aliceConn, new FileOffer(bob, "whole.bin", (ulong)content.Length, key, HashAtEnd: true));
        for (int at = 0; at < content.Length; at += ProtocolLimits.MaxFileChunkBytes)
        {
            await OcFiles.SendChunkAsync(aliceConn, accepted.FileId, at, content.AsMemory(at, Math.Min(ProtocolLimits.MaxFileChunkBytes, content.Length - at)));
        }
        FileProgress progress;
        do Assert.True(FileProgress.TryRead((await NextAsync(aliceConn, FrameType.FileProgress)).Payload, out progress));
        while (progress.Confirmed < (ulong)content.Length);
        Assert.Equal(FileState.Uploading, progress.State);
        await aliceConn.DisposeAsync();
        Assert.Empty(await OcFiles.ListAsync(bobConn));

        await using var again = await SessionAsync(appliance, alice);
        var offsets = new List<long>();
        ulong id = await OcFiles.UploadAsync(again, bob, "whole.bin", new MemoryStream(content), new SyncProgress(p => offsets.Add(p.Done)));
        Assert.Equal(accepted.FileId, id);
        Assert.Equal(content.Length, offsets[0]);
        Assert.Equal(content, await DownloadAsync(bobConn, id));
    }

    /// <summary>
    /// Offers the file as "big.bin" (with the hash at the end, as <see cref="OcFiles.UploadAsync"/>
    /// does, unless <paramref name="hashFirst"/>), sends its first <paramref name="bytes"/> and
    /// waits until some of it is confirmed.
    /// </summary>
    private static async Task<ulong> SendPartAsync(OcConnection connection, uint to, byte[] content, int bytes, bool hashFirst = false)
    {
        var offer = hashFirst
            ? new FileOffer(to, "big.bin", (ulong)content.Length, SHA256.HashData(content))
            : new FileOffer(to, "big.bin", (ulong)content.Length, await OcFiles.UploadKeyAsync("big.bin", new MemoryStream(content)), HashAtEnd: true);
        var accepted = await OcFiles.OfferAsync(connection, offer);
        Assert.Equal(0ul, accepted.Offset);
        Assert.True(accepted.Credit >= bytes);
        for (int sent = 0; sent < bytes; sent += ProtocolLimits.MaxFileChunkBytes)
        {
            await OcFiles.SendChunkAsync(connection, accepted.FileId, sent, content.AsMemory(sent, ProtocolLimits.MaxFileChunkBytes));
        }
        // Progress may first announce more credit (confirmed 0); the confirm follows once the
        // worker has caught up with the chunks.
        FileProgress progress;
        do
        {
            Assert.True(FileProgress.TryRead((await NextAsync(connection, FrameType.FileProgress)).Payload, out progress));
            Assert.Equal(FileState.Uploading, progress.State);
        }
        while (progress.Confirmed == 0);
        Assert.True(progress.Confirmed <= (ulong)bytes);
        return accepted.FileId;
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, too late for asserts).</summary>
    private sealed class SyncProgress(Action<FileTransferProgress> report) : IProgress<FileTransferProgress>
    {
        public void Report(FileTransferProgress value) => report(value);
    }
}
