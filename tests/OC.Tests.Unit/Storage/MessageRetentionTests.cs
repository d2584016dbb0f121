using System.Diagnostics;
using System.Text;
using OC.Appliance.Backup;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Messages;

namespace OC.Tests.Storage;

/// <summary>
/// --retention on the message log itself: messages older than the cutoff are erased from the
/// front of messages.log (a hole punched on Linux) and never read again — not by SYNC, HISTORY,
/// the resend window, an open's replay or an index rebuild — and where the kept part starts
/// (messages.retention) survives a clean close and one without a checkpoint (what kill -9 leaves).
/// </summary>
[Collection(nameof(MessageIndexTests))]
public sealed class MessageRetentionTests : IDisposable
{
    private const int Alice = 100001, Bob = 100002, Carol = 100003;
    private const long T0 = 1_700_000_000_000;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogPath => _dir.Sub(MessageLog.FileName);

    private static byte[] Id(int n) => new Guid(n, 0, 0, new byte[8]).ToByteArray();

    /// <summary>Message n at T0 + n seconds, alice and bob in turns, every third one to carol; a group every 10.</summary>
    private static void Fill(MessageLog log, int first, int count, string textPrefix = "m", int textBytes = 0)
    {
        for (int n = first; n < first + count; n++)
        {
            var (from, to) = (n % 3) switch { 0 => (Alice, Carol), 1 => (Alice, Bob), _ => (Bob, Alice) };
            string text = textPrefix + n + new string('x', textBytes);
            Assert.False(log.Append(from, to, Id(n), Encoding.UTF8.GetBytes(text), T0 + n * 1000L).Duplicate);
            if (n % 10 == 9) log.Commit(flushToDisk: false);
        }
        log.Commit(flushToDisk: false);
    }

    private sealed class Sink(int max = int.MaxValue) : IMessageSink
    {
        public List<ulong> Seqs { get; } = [];

        public bool Accept(in MessageRecord message)
        {
            if (Seqs.Count == max) return false;
            Seqs.Add(message.Seq);
            return true;
        }
    }

    private static List<ulong> Sync(MessageLog log, int user, ulong after = 0)
    {
        var sink = new Sink();
        log.ReadForUser(user, after, ref sink);
        return sink.Seqs;
    }

    private static (bool More, List<ulong> Seqs) History(MessageLog log, int user, int peer, ulong before, int limit)
    {
        var page = log.Conversation(user, peer, before, limit);
        var sink = new Sink();
        page.Read(ref sink);
        return (page.More, sink.Seqs);
    }

    /// <summary>Every page of the conversation, newest to oldest, as one list oldest first.</summary>
    private static List<ulong> WholeHistory(MessageLog log, int user, int peer, int pageSize)
    {
        var all = new List<ulong>();
        ulong before = 0;
        while (true)
        {
            var (more, seqs) = History(log, user, peer, before, pageSize);
            all.InsertRange(0, seqs);
            if (!more) return all;
            Assert.NotEmpty(seqs);
            before = seqs[0];
        }
    }

    // Seqs are the message numbers here: one message each from 1, in order.
    private static IEnumerable<ulong> Expected(int user, int peer, int from, int to) =>
        Enumerable.Range(from, to - from + 1).Where(n => (n % 3) switch
        {
            0 => user == Alice && (peer == 0 || peer == Carol) || user == Carol && (peer == 0 || peer == Alice),
            _ => (user == Alice || user == Bob) && (peer == 0 || peer == (user == Alice ? Bob : Alice)),
        }).Select(n => (ulong)n);

    private static void AssertKept(MessageLog log, int firstKept, int last)
    {
        Assert.Equal((ulong)firstKept, log.FirstRetainedSeq);
        Assert.Equal(last - firstKept + 1, log.Count);
        foreach (int user in new[] { Alice, Bob, Carol })
        {
            Assert.Equal(Expected(user, 0, firstKept, last), Sync(log, user));
            // SYNC after an expired seq starts at the first kept message.
            Assert.Equal(Expected(user, 0, firstKept, last), Sync(log, user, after: 3));
        }
        Assert.Equal(Expected(Alice, Bob, firstKept, last), WholeHistory(log, Alice, Bob, 7));
        Assert.Equal(Expected(Carol, Alice, firstKept, last), WholeHistory(log, Carol, Alice, 100));
        // A page that ends exactly at the first kept message says there is no more.
        var pair = Expected(Alice, Bob, firstKept, last).ToList();
        if (pair.Count >= 3)
        {
            var (more, oldest) = History(log, Alice, Bob, pair[2], 2);
            Assert.Equal(pair[..2], oldest);
            Assert.False(more);
        }
        var older = History(log, Bob, Alice, (ulong)firstKept, 50);
        Assert.False(older.More);
        Assert.Empty(older.Seqs);
    }

    [Fact]
    public void Messages_older_than_the_cutoff_are_gone_from_sync_and_history_and_every_newer_one_stays()
    {
        using var log = new MessageLog(_dir.Path);
        Fill(log, 1, 300);
        // Messages 1..120 are older than the cutoff (message n is at T0 + n s).
        var step = log.Expire(T0 + 120_500);
        Assert.Equal(120, step.Dropped);
        Assert.True(step.CaughtUp);
        Assert.Equal(T0 + 121_000, step.OldestKeptMs);
        AssertKept(log, 121, 300);
        // The backup's scan of a stopped appliance's log skips the erased part as the log does.
        Assert.Equal(MessagesPoint.Of(log), LogScan.TryWhole(LogPath));
        Assert.Equal(180, MessagesPoint.Of(log).Messages);
        Assert.Equal(301ul, log.Append(Alice, Bob, Id(301), "m301"u8, T0 + 301_000).Seq);
        log.Commit(flushToDisk: false);
        AssertKept(log, 121, 301);
        // Nothing more is old enough: nothing changes.
        Assert.Equal(0, log.Expire(T0 + 120_900).Dropped);
        AssertKept(log, 121, 301);
    }

    [Fact]
    public void A_step_is_bounded_and_the_next_goes_on_where_it_stopped()
    {
        using var log = new MessageLog(_dir.Path);
        Fill(log, 1, 100);
        var first = log.Expire(T0 + 1_000_000, maxMessages: 30);
        Assert.Equal((30, false), (first.Dropped, first.CaughtUp));
        AssertKept(log, 31, 100);
        var second = log.Expire(T0 + 50_500, maxMessages: 30);
        Assert.Equal((20, true), (second.Dropped, second.CaughtUp));
        AssertKept(log, 51, 100);
        // Every message expired: the log is empty, seqs go on.
        var all = log.Expire(T0 + 1_000_000);
        Assert.Equal((50, true, (long?)null), (all.Dropped, all.CaughtUp, all.OldestKeptMs));
        Assert.Equal(0, log.Count);
        Assert.Empty(Sync(log, Alice));
        var none = History(log, Alice, Bob, 0, 50);
        Assert.False(none.More);
        Assert.Empty(none.Seqs);
        Assert.Equal(101ul, log.Append(Alice, Bob, Id(101), "m101"u8, T0 + 2_000_000).Seq);
        log.Commit(flushToDisk: false);
        AssertKept(log, 101, 101);
    }

    [Fact]
    public void A_message_stamped_earlier_than_one_before_it_is_kept_until_those_expire()
    {
        using var log = new MessageLog(_dir.Path);
        log.Append(Alice, Bob, Id(1), "m1"u8, T0 + 1000);
        log.Append(Alice, Bob, Id(2), "m2"u8, T0 + 5000);
        log.Append(Alice, Bob, Id(3), "m3"u8, T0 + 2000); // the clock stepped back
        log.Commit(flushToDisk: false);
        Assert.Equal(1, log.Expire(T0 + 3000).Dropped);
        Assert.Equal([2ul, 3ul], Sync(log, Alice));
        Assert.Equal(2, log.Expire(T0 + 6000).Dropped);
        Assert.Empty(Sync(log, Alice));
    }

    [Fact]
    public void The_kept_part_survives_a_clean_reopen_and_a_reopen_without_a_checkpoint()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 1, 300);
            log.Checkpoint();
            Assert.Equal(150, log.Expire(T0 + 150_500).Dropped);
            // Disposed without a checkpoint after the step (as kill -9 leaves it): the checkpoint
            // on disk covers messages that have expired since.
        }
        Assert.True(File.Exists(_dir.Sub(MessageLog.RetentionFileName)));
        using (var log = new MessageLog(_dir.Path))
        {
            AssertKept(log, 151, 300);
            Fill(log, 301, 50);
            Assert.Equal(50, log.Expire(T0 + 200_500).Dropped);
            log.Checkpoint();
        }
        using (var log = new MessageLog(_dir.Path))
        {
            AssertKept(log, 201, 350);
            Assert.False(log.HasUncheckpointed);
            // Every message expires, then a clean close: the checkpoint's last record is erased.
            Assert.Equal(150, log.Expire(T0 + 10_000_000).Dropped);
            log.Checkpoint();
        }
        using (var log = new MessageLog(_dir.Path))
        {
            Assert.Equal((351ul, 0L), (log.FirstRetainedSeq, log.Count));
            Assert.Empty(Sync(log, Alice));
            Fill(log, 351, 10);
            AssertKept(log, 351, 360);
        }
        using (var log = new MessageLog(_dir.Path)) AssertKept(log, 351, 360);
    }

    [Fact]
    public void A_resend_of_an_expired_message_is_not_read_from_the_erased_log()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 1, 40);
            Assert.Equal(20, log.Expire(T0 + 20_500).Dropped);
        }
        using var again = new MessageLog(_dir.Path);
        // The resend window is read back from alice's list: the kept messages only.
        Assert.Equal((22ul, true), (again.Append(Alice, Bob, Id(22), "m22"u8, T0 + 99_000) is var kept ? (kept.Seq, kept.Duplicate) : default));
        Assert.Equal((41ul, false), (again.Append(Alice, Bob, Id(4), "m4"u8, T0 + 99_000) is var expired ? (expired.Seq, expired.Duplicate) : default));
    }

    [Fact]
    public void An_index_rebuilt_after_retention_starts_at_the_first_kept_message_and_brings_none_back()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 1, 1200); // lists of many blocks
            Assert.Equal(500, log.Expire(T0 + 500_500).Dropped);
            log.Checkpoint();
        }
        // No checkpoint: the open builds the index from the log, which starts with the erased part.
        File.Delete(_dir.Sub(MessageIndex.CheckpointFileName));
        using (var log = new MessageLog(_dir.Path))
        {
            AssertKept(log, 501, 1200);
            log.Checkpoint();
        }
        // A zeroed page of the index: noticed at the first read, rebuilt from the kept part.
        using (var file = new FileStream(_dir.Sub(MessageIndex.FileName), FileMode.Open, FileAccess.Write))
        {
            Assert.True(file.Length > 3 * 4096);
            file.Position = 4096;
            file.Write(new byte[4096]);
        }
        using (var log = new MessageLog(_dir.Path)) AssertKept(log, 501, 1200);
    }

    [Fact]
    public void The_expired_messages_are_erased_from_the_file_and_on_linux_their_blocks_freed()
    {
        long before, after;
        using (var log = new MessageLog(_dir.Path))
        {
            // About 4 MB of messages, the older half of them expired.
            Fill(log, 1, 4000, textPrefix: "secret-", textBytes: 1000);
            before = AllocatedBytes(LogPath);
            var step = log.Expire(T0 + 2000_500, maxMessages: int.MaxValue);
            Assert.Equal(2000, step.Dropped);
            Assert.Equal(OperatingSystem.IsLinux(), step.Punched);
            after = AllocatedBytes(LogPath);
            AssertKept(log, 2001, 4000);
        }
        var bytes = File.ReadAllBytes(LogPath);
        string text = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("secret-1999x", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-7x", text, StringComparison.Ordinal);
        Assert.Contains("secret-2001x", text, StringComparison.Ordinal);
        Assert.Contains("secret-4000x", text, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            // About 2 MB of blocks went back to the file system.
            Assert.True(before - after > 1_500_000, $"allocated {before} bytes before, {after} after");
        }
    }

    [Fact]
    public void Room_members_who_joined_before_the_kept_part_stay_members_after_an_index_rebuild()
    {
        const int Room = 7;
        using (var log = new MessageLog(_dir.Path))
        {
            // Alice and bob join at T0 (seqs 1, 2), carol joins and then leaves (3, 4), all long ago.
            log.AppendRoomEntry(RoomMessageKind.Joined, Room, Alice, Alice, 0, "alice"u8, T0);
            log.AppendRoomEntry(RoomMessageKind.Joined, Room, Alice, Bob, 0, "bob"u8, T0);
            log.AppendRoomEntry(RoomMessageKind.Joined, Room, Alice, Carol, 0, "carol"u8, T0);
            log.AppendRoomEntry(RoomMessageKind.Left, Room, Carol, Carol, 0, "carol"u8, T0);
            for (int n = 5; n <= 100; n++) Assert.NotNull(log.AppendToRoom(n % 2 == 0 ? Alice : Bob, Room, Id(n), Encoding.UTF8.GetBytes($"r{n}"), T0 + n * 1000L));
            log.Commit(flushToDisk: false);
            Assert.Equal(50, log.Expire(T0 + 50_500).Dropped); // seqs 1..50: every join and leave
            log.Checkpoint();
        }
        // Without the checkpoint the index, the rooms' spans included, is built from the kept part.
        File.Delete(_dir.Sub(MessageIndex.CheckpointFileName));
        using (var log = new MessageLog(_dir.Path))
        {
            Assert.True(log.Rooms.IsMember(Room, Alice));
            Assert.True(log.Rooms.IsMember(Room, Bob));
            Assert.False(log.Rooms.IsMember(Room, Carol));
            Assert.Equal([Alice, Bob], log.Rooms.MembersOf(Room).ToArray());
            var page = log.RoomPage(Bob, Room, 0, 500)!.Value;
            var sink = new Sink();
            page.Read(ref sink);
            Assert.False(page.More);
            Assert.Equal(Enumerable.Range(51, 50).Select(n => (ulong)n), sink.Seqs);
            Assert.Equal(Enumerable.Range(51, 50).Select(n => (ulong)n), Sync(log, Alice));
            Assert.Null(log.AppendToRoom(Carol, Room, Id(101), "not a member"u8, T0 + 200_000));
            Assert.NotNull(log.AppendToRoom(Bob, Room, Id(102), "still a member"u8, T0 + 200_000));
            log.Commit(flushToDisk: false);
            // The next step starts from the kept spans: bob leaves, then everything before expires.
            log.AppendRoomEntry(RoomMessageKind.Left, Room, Bob, Bob, 0, "bob"u8, T0 + 300_000);
            log.Commit(flushToDisk: false);
            Assert.Equal(52, log.Expire(T0 + 400_000).Dropped);
        }
        File.Delete(_dir.Sub(MessageIndex.CheckpointFileName));
        using (var again = new MessageLog(_dir.Path))
        {
            Assert.Equal([Alice], again.Rooms.MembersOf(Room).ToArray());
            Assert.Empty(Sync(again, Alice));
        }
    }

    [Fact]
    public void A_damaged_retention_file_refuses_to_open_and_says_so()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 1, 20);
            log.Expire(T0 + 10_500);
        }
        var path = _dir.Sub(MessageLog.RetentionFileName);
        var bytes = File.ReadAllBytes(path);
        bytes[12] ^= 1;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => new MessageLog(_dir.Path));
        Assert.Contains(MessageLog.RetentionFileName, e.Message, StringComparison.Ordinal);
    }

    /// <summary>The file's allocated bytes (stat's blocks, 512 bytes each).</summary>
    private static long AllocatedBytes(string path)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        var start = new ProcessStartInfo("stat", ["-c", "%b", path]) { RedirectStandardOutput = true };
        using var stat = Process.Start(start)!;
        string output = stat.StandardOutput.ReadToEnd();
        Assert.True(stat.WaitForExit(30_000));
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture) * 512;
    }
}
