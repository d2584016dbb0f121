using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using OC.Appliance;
using OC.Appliance.Backup;
using OC.Appliance.Limits;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Tests.Integration;
using OC.Tests.Support;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Storage;

/// <summary>
/// The appliance with --retention 1d on a fake clock: messages and files older than a day are
/// gone from HISTORY, SYNC, FILE_LIST and downloads, every newer one stays, and so it remains
/// after a restart on a damaged index, in a backup restored elsewhere, and when the worker's own
/// schedule (not a test's nudge) finds the next messages expired.
/// </summary>
public sealed class RetentionApplianceTests : IDisposable
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly string _data = OC.Tests.Integration.TempDirectory.Create("oc-retention");
    private readonly string _work = OC.Tests.Integration.TempDirectory.Create("oc-retention-work");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        OC.Tests.Integration.TempDirectory.Delete(_data);
        OC.Tests.Integration.TempDirectory.Delete(_work);
    }

    private TestAppliance Start(string? data = null, TimeSpan? retention = null) =>
        new(dataDirectory: data ?? _data, configure: o => o with
        {
            Time = _time,
            Retention = retention,
            RateLimits = RateLimitSettings.Off,
            // The clock jumps by hours: no connection may count that as silence.
            IdleTimeout = TimeSpan.FromDays(3650),
            LoginTimeout = TimeSpan.FromDays(3650),
        });

    /// <summary>Alice and bob write in turns, in windows of 50; returns the seqs.</summary>
    private static async Task<List<ulong>> ChatAsync(OcConnection alice, uint aliceNumber, OcConnection bob, uint bobNumber, int count, string tag)
    {
        var seqs = new List<ulong>();
        for (int start = 0; start < count; start += 50)
        {
            var window = Enumerable.Range(start, Math.Min(50, count - start))
                .Select(i => i % 2 == 0 ? SendAsync(alice, bobNumber, $"{tag}{i}") : SendAsync(bob, aliceNumber, $"{tag}{i}")).ToList();
            foreach (var sent in window) seqs.Add((await sent).Seq);
        }
        seqs.Sort();
        return seqs;
    }

    private static async Task<List<ulong>> WholeHistoryAsync(OcConnection connection, uint peer)
    {
        var all = new List<ulong>();
        ulong before = 0;
        while (true)
        {
            var (more, page) = await HistoryAsync(connection, peer, before, 30);
            all.InsertRange(0, page.Select(m => m.Seq));
            if (!more) return all;
            before = page[0].Seq;
        }
    }

    private static async Task AssertOnlyAsync(OcConnection alice, uint bob, List<ulong> kept, ulong expiredSeq, ulong keptFile, ulong expiredFile)
    {
        Assert.Equal(kept, await WholeHistoryAsync(alice, bob));
        Assert.Equal(kept, (await SyncAsync(alice, 0)).Select(m => m.Seq));
        // A SYNC after an expired seq starts at the first kept message.
        Assert.Equal(kept, (await SyncAsync(alice, expiredSeq)).Select(m => m.Seq));
        Assert.Equal([keptFile], (await OcFiles.ListAsync(alice)).Select(f => f.FileId));
        var refused = await Assert.ThrowsAsync<OcErrorException>(() => OcFiles.DownloadAsync(alice, expiredFile, new MemoryStream()));
        Assert.Equal(ErrorCode.FileNotFound, refused.Code);
    }

    [Fact]
    public async Task Messages_and_files_older_than_the_retention_are_gone_for_good_and_newer_ones_all_stay()
    {
        uint alice, bob;
        List<ulong> old, kept;
        ulong oldFile, newFile;
        var newContent = RandomNumberGenerator.GetBytes(10_000);
        using (var first = Start(retention: Day))
        {
            var (a, aConn) = await NewUserAsync(first, "alice");
            var (b, bConn) = await NewUserAsync(first, "bob");
            (alice, bob) = (a, b);
            await using var _a = aConn;
            await using var _b = bConn;
            await BefriendAsync(aConn, bob, bConn);
            // 200 messages each time: the conversation's list spans several index blocks.
            old = await ChatAsync(aConn, alice, bConn, bob, 200, "old");
            oldFile = await OcFiles.UploadAsync(aConn, bob, "old.txt", new MemoryStream(RandomNumberGenerator.GetBytes(10_000)));
            _time.Advance(TimeSpan.FromHours(12));
            kept = await ChatAsync(aConn, alice, bConn, bob, 200, "new");
            newFile = await OcFiles.UploadAsync(aConn, bob, "new.txt", new MemoryStream(newContent));
            _time.Advance(TimeSpan.FromHours(13));

            first.Server.ExpireMessagesNow();
            first.Server.SweepFilesNow();
            await AssertOnlyAsync(aConn, bob, kept, old[5], newFile, oldFile);
            var download = new MemoryStream();
            await OcFiles.DownloadAsync(bConn, newFile, download);
            Assert.Equal(newContent, download.ToArray());
            Assert.Equal(kept.Count, first.Server.Messages.MessagesStored);
            // The counter of /metrics never falls: every message ever stored, the expired ones too.
            Assert.Equal(old.Count + kept.Count, first.Server.Messages.MessagesEverStored);
        }
        // The texts of the expired messages are not in the log any more (erased, not only hidden).
        var log = File.ReadAllBytes(Path.Combine(_data, MessageLog.FileName));
        Assert.Equal(-1, log.AsSpan().IndexOf("old17"u8));
        Assert.NotEqual(-1, log.AsSpan().IndexOf("new17"u8));
        Assert.False(File.Exists(Path.Combine(_data, "files", oldFile.ToString("x16"))));

        // A zeroed page of the index while stopped: rebuilt from the kept part, nothing comes back.
        using (var index = new FileStream(Path.Combine(_data, MessageIndex.FileName), FileMode.Open, FileAccess.Write))
        {
            Assert.True(index.Length > 2 * 4096);
            index.Position = 4096;
            index.Write(new byte[4096]);
        }
        using (var second = Start(retention: Day))
        {
            await using var aliceAgain = await SessionAsync(second, alice);
            await AssertOnlyAsync(aliceAgain, bob, kept, old[5], newFile, oldFile);
        }

        // A backup of the stopped folder restores the kept part only.
        string archive = Path.Combine(_work, "backup.tar.gz");
        string restored = Path.Combine(_work, "restored");
        await BackupRunner.RunAsync(_data, archive, excludeTlsKey: false, new ProgressBar("Backing up", 0, enabled: false), CancellationToken.None);
        ArchiveRestorer.Restore(archive, restored, new ProgressBar("Restoring", 0, enabled: false));
        using (var third = Start(data: restored))
        {
            await using var aliceThere = await SessionAsync(third, alice);
            Assert.Equal(kept, await WholeHistoryAsync(aliceThere, bob));
            Assert.Equal(kept, (await SyncAsync(aliceThere, old[0])).Select(m => m.Seq));
        }

        // Left to itself, the worker drops the rest once they are a day old (its own timer on the clock).
        using var fourth = Start(retention: Day);
        await using var aliceLast = await SessionAsync(fourth, alice);
        Assert.Equal(kept, await WholeHistoryAsync(aliceLast, bob));
        _time.Advance(TimeSpan.FromHours(12));
        await Eventually.TrueAsync(async () => (await HistoryAsync(aliceLast, bob)).Messages.Count == 0, Eventually.Deadline, "the worker to drop the messages once a day old");
        Assert.Empty(await SyncAsync(aliceLast, 0));
        ulong next = (await SendAsync(aliceLast, bob, "after")).Seq;
        Assert.Equal(kept[^1] + 1, next);
        Assert.Equal([next], (await SyncAsync(aliceLast, 0)).Select(m => m.Seq));
    }

    [Fact]
    public async Task A_room_keeps_its_members_when_the_entries_of_their_joins_expire_and_the_index_is_rebuilt()
    {
        uint alice, bob, room;
        var kept = new List<ulong>();
        using (var first = Start(retention: Day))
        {
            var (a, aConn) = await NewUserAsync(first, "alice");
            var (b, bConn) = await NewUserAsync(first, "bob");
            (alice, bob) = (a, b);
            await using var _a = aConn;
            await using var _b = bConn;
            room = (await OcRooms.CreateAsync(aConn, "lab", open: false)).RoomId;
            await BefriendAsync(aConn, bob, bConn);
            await OcRooms.InviteAsync(aConn, room, bob);
            await OcRooms.AcceptAsync(bConn, room);
            for (int i = 0; i < 20; i++) await OcRoomMessages.SendAsync(aConn, room, $"old{i}");
            _time.Advance(TimeSpan.FromHours(12));
            for (int i = 0; i < 20; i++) kept.Add((await OcRoomMessages.SendAsync(i % 2 == 0 ? aConn : bConn, room, $"new{i}")).Seq);
            _time.Advance(TimeSpan.FromHours(13));
            first.Server.ExpireMessagesNow();
            var (more, page) = await OcRoomMessages.HistoryAsync(bConn, room, 0, 500);
            Assert.False(more);
            Assert.Equal(kept, page.Select(m => m.Seq));
            Assert.Equal(20, first.Server.Messages.RoomMessagesStored);
        }
        // Without the index's checkpoint the index and the rooms' spans are built from the kept
        // part, which holds neither member's join: the spans kept with the retention point do.
        File.Delete(Path.Combine(_data, MessageIndex.CheckpointFileName));
        using var second = Start(retention: Day);
        await using var bobAgain = await SessionAsync(second, bob);
        Assert.Equal(kept, (await OcRoomMessages.HistoryAsync(bobAgain, room, 0, 500)).Messages.Select(m => m.Seq));
        ulong after = (await OcRoomMessages.SendAsync(bobAgain, room, "still here")).Seq;
        Assert.Equal(21, second.Server.Messages.RoomMessagesStored);
        Assert.Equal(new[] { alice, bob }.Order(), (await OcRooms.MembersAsync(bobAgain, room)).Select(m => m.OcNumber).Order());
        // The start's reconciliation with the account database found nothing missing: no new Joined entries.
        var (_, now) = await OcRoomMessages.HistoryAsync(bobAgain, room, 0, 500);
        Assert.Equal([.. kept, after], now.Select(m => m.Seq));
    }
}
