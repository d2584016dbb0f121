using System.Text;
using OC.Appliance.Diagnostics;
using OC.Appliance.Storage.Messages;

namespace OC.Tests.Storage;

/// <summary>The log is one per process and these tests read its warnings: they run one at a time.</summary>
[CollectionDefinition(nameof(MessageIndexTests), DisableParallelization = true)]
public sealed class MessageIndexCollection;

/// <summary>
/// The message index on disk (messages.index and its checkpoint) against a model of the log:
/// HISTORY and SYNC at every depth after a checkpoint, after a replay of the log's tail, and after
/// the index was damaged (cut short, a zeroed page, a bad checkpoint), which must be noticed,
/// said (a warning) and rebuilt from the log, never answered wrong.
/// </summary>
[Collection(nameof(MessageIndexTests))]
public sealed class MessageIndexTests : IDisposable
{
    private const int FirstUser = 100001;
    private readonly TempDirectory _dir = new();
    private readonly List<(ulong Seq, int From, int To)> _model = [];
    private int _next;

    public void Dispose() => _dir.Dispose();

    private string IndexPath => _dir.Sub(MessageIndex.FileName);
    private string CheckpointPath => _dir.Sub(MessageIndex.CheckpointFileName);

    private static byte[] Id(int n) => new Guid(n, 0, 0, new byte[8]).ToByteArray();

    /// <summary>Messages between <paramref name="users"/> users (random pairs), committed in groups of 100.</summary>
    private void Fill(MessageLog log, int count, int users, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int from = FirstUser + random.Next(users);
            int to = FirstUser + random.Next(users);
            int n = ++_next;
            var result = log.Append(from, to, Id(n), Encoding.UTF8.GetBytes($"m{n}"), 1_700_000_000_000 + n);
            Assert.False(result.Duplicate);
            _model.Add((result.Seq, from, to));
            if (i % 100 == 99) log.Commit(flushToDisk: false);
        }
        log.Commit(flushToDisk: false);
    }

    private sealed class SeqSink(int max) : IMessageSink
    {
        public List<ulong> Seqs { get; } = [];

        public bool Accept(in MessageRecord message)
        {
            if (Seqs.Count == max) return false;
            Seqs.Add(message.Seq);
            return true;
        }
    }

    private static (List<ulong> Seqs, bool More) History(MessageLog log, int a, int b, ulong before, int limit)
    {
        var page = log.Conversation(a, b, before, limit);
        var sink = new SeqSink(int.MaxValue);
        page.Read(ref sink);
        return (sink.Seqs, page.More);
    }

    private static (List<ulong> Seqs, bool More) Sync(MessageLog log, int user, ulong after, int max)
    {
        var sink = new SeqSink(max);
        bool more = log.ReadForUser(user, after, ref sink);
        return (sink.Seqs, more);
    }

    /// <summary>HISTORY pages and SYNC pages from random places, each compared with the model.</summary>
    private void AssertMatchesModel(MessageLog log, int users, int seed)
    {
        var random = new Random(seed);
        ulong last = _model.Count == 0 ? 0 : _model[^1].Seq;
        Assert.Equal((long)last, log.Count);
        for (int a = 0; a < users; a++)
        {
            for (int b = a; b < users; b++)
            {
                int ua = FirstUser + a, ub = FirstUser + b;
                var conversation = _model.Where(m => Math.Min(m.From, m.To) == ua && Math.Max(m.From, m.To) == ub).Select(m => m.Seq).ToList();
                foreach (ulong before in new ulong[] { 0, (ulong)random.NextInt64(1, (long)last + 2), (ulong)random.NextInt64(1, (long)last + 2) })
                {
                    int limit = random.Next(1, 120);
                    var older = conversation.Where(s => before == 0 || s < before).ToList();
                    var (seqs, more) = History(log, ub, ua, before, limit);
                    Assert.Equal(older.TakeLast(limit), seqs);
                    Assert.Equal(older.Count > limit, more);
                }
            }
            int user = FirstUser + a;
            var mine = _model.Where(m => m.From == user || m.To == user).Select(m => m.Seq).ToList();
            foreach (ulong after in new ulong[] { 0, (ulong)random.NextInt64(0, (long)last + 1), (ulong)random.NextInt64(0, (long)last + 1) })
            {
                int max = random.Next(1, 700);
                var newer = mine.Where(s => s > after).ToList();
                var (seqs, more) = Sync(log, user, after, max);
                Assert.Equal(newer.Take(max), seqs);
                Assert.Equal(newer.Count > max, more);
            }
        }
    }

    /// <summary>The warnings of one event logged since <paramref name="since"/> that name this test's folder.</summary>
    private List<LogEntry> Warnings(string evt, DateTime since) =>
        Log.Recent.Snapshot().Where(e => e.Event == evt && e.TimeUtc >= since && e.Text.Contains(_dir.Path, StringComparison.Ordinal)).ToList();

    [Fact]
    public void History_and_sync_match_the_log_at_any_depth_after_a_checkpoint_and_after_replaying_the_tail()
    {
        const int Users = 5;
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 6000, Users, seed: 1);
            AssertMatchesModel(log, Users, seed: 2);
            log.Checkpoint();
            Fill(log, 3000, Users, seed: 3);
            // Disposed without a checkpoint (as kill -9 leaves it): the next open replays 3,000.
        }
        using (var log = new MessageLog(_dir.Path))
        {
            AssertMatchesModel(log, Users, seed: 4);
            Fill(log, 500, Users, seed: 5);
            AssertMatchesModel(log, Users, seed: 6);
            log.Checkpoint();
        }
        using (var log = new MessageLog(_dir.Path))
        {
            AssertMatchesModel(log, Users, seed: 7);
            Assert.False(log.HasUncheckpointed);
        }
    }

    [Fact]
    public void An_open_after_a_checkpoint_does_not_read_the_log_before_it()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 300, 3, seed: 1);
            log.Checkpoint();
        }
        // Damage the first record's text: a whole scan would refuse to open (see MessageLogTests).
        var bytes = File.ReadAllBytes(_dir.Sub(MessageLog.FileName));
        bytes[8 + MessageRecord.HeaderSize] ^= 0xFF;
        File.WriteAllBytes(_dir.Sub(MessageLog.FileName), bytes);

        using var again = new MessageLog(_dir.Path);
        Assert.Equal(300, again.Count);
        Assert.False(again.HasUncheckpointed);
    }

    [Fact]
    public void An_index_file_cut_short_is_noticed_at_open_and_rebuilt_from_the_log()
    {
        const int Users = 4;
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 5000, Users, seed: 1);
            log.Checkpoint();
        }
        long length = new FileInfo(IndexPath).Length;
        using (var file = File.OpenWrite(IndexPath)) file.SetLength(length / 2);

        var since = DateTime.UtcNow;
        using (var log = new MessageLog(_dir.Path))
        {
            var warning = Assert.Single(Warnings("messages.index_rebuild", since));
            Assert.Contains("cut short", warning.Text, StringComparison.Ordinal);
            AssertMatchesModel(log, Users, seed: 2);
        }
        // Rebuilt and checkpointed: the next open trusts it again.
        since = DateTime.UtcNow;
        using (var log = new MessageLog(_dir.Path))
        {
            Assert.Empty(Warnings("messages.index_rebuild", since));
            AssertMatchesModel(log, Users, seed: 3);
        }
    }

    [Fact]
    public void A_zeroed_index_page_is_noticed_when_read_and_the_index_rebuilt_from_the_log()
    {
        const int Users = 4;
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 8000, Users, seed: 1);
            log.Checkpoint();
        }
        long length = new FileInfo(IndexPath).Length;
        Assert.True(length > 3 * 4096);
        using (var file = new FileStream(IndexPath, FileMode.Open, FileAccess.Write))
        {
            file.Position = 4096;
            file.Write(new byte[4096]);
        }

        var since = DateTime.UtcNow;
        using var again = new MessageLog(_dir.Path);
        // Every list's oldest blocks: the zeroed page is among them.
        AssertMatchesModel(again, Users, seed: 2);
        for (int a = 0; a < Users; a++)
        {
            var (seqs, _) = Sync(again, FirstUser + a, 0, int.MaxValue);
            Assert.Equal(_model.Where(m => m.From == FirstUser + a || m.To == FirstUser + a).Select(m => m.Seq), seqs);
        }
        var warning = Assert.Single(Warnings("messages.index_rebuild", since));
        Assert.Contains("block", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_with_a_bad_crc_is_not_trusted()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 2000, 3, seed: 1);
            log.Checkpoint();
        }
        var bytes = File.ReadAllBytes(CheckpointPath);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(CheckpointPath, bytes);

        var since = DateTime.UtcNow;
        using var again = new MessageLog(_dir.Path);
        Assert.Contains("bad CRC", Assert.Single(Warnings("messages.index_rebuild", since)).Text, StringComparison.Ordinal);
        AssertMatchesModel(again, 3, seed: 2);
    }

    [Fact]
    public void A_checkpoint_that_covers_more_than_the_log_is_not_trusted()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 2000, 3, seed: 1);
            log.Checkpoint();
        }
        // The log replaced by an older copy of itself (its first 1,000 messages).
        long keep = 8;
        var bytes = File.ReadAllBytes(_dir.Sub(MessageLog.FileName));
        for (int i = 0; i < 1000; i++) keep += BitConverter.ToInt32(bytes, (int)keep);
        File.WriteAllBytes(_dir.Sub(MessageLog.FileName), bytes[..(int)keep]);
        _model.RemoveRange(1000, 1000);

        var since = DateTime.UtcNow;
        using var again = new MessageLog(_dir.Path);
        Assert.Single(Warnings("messages.index_rebuild", since));
        AssertMatchesModel(again, 3, seed: 2);
    }

    [Fact]
    public void A_resend_is_recognised_after_reopening_and_after_the_sender_left_memory()
    {
        const int Senders = RecentIdCache.MaxSenders + 44;
        const int Receiver = 200000;
        var seqs = new Dictionary<(int, int), ulong>();
        using (var log = new MessageLog(_dir.Path))
        {
            for (int round = 0; round < 3; round++)
            {
                for (int s = 0; s < Senders; s++)
                {
                    seqs[(s, round)] = log.Append(FirstUser + s, Receiver, Id(s * 10 + round), "x"u8, 1).Seq;
                }
                log.Commit(flushToDisk: false);
            }
            Assert.True(log.SendersInMemory <= RecentIdCache.MaxSenders);
            // A sender memory dropped is read back from the index.
            Assert.True(log.Append(FirstUser, Receiver, Id(1), "x"u8, 1) is { Duplicate: true, Seq: var first } && first == seqs[(0, 1)]);
            log.Checkpoint();
        }
        using var again = new MessageLog(_dir.Path);
        foreach (var ((s, round), seq) in seqs)
        {
            var resent = again.Append(FirstUser + s, Receiver, Id(s * 10 + round), "x"u8, 2);
            Assert.True(resent.Duplicate);
            Assert.Equal(seq, resent.Seq);
            Assert.Equal(1, resent.TimeMs);
        }
        Assert.False(again.HasStaged);
        // Another sender's id is another message.
        Assert.False(again.Append(Receiver, FirstUser, Id(0), "x"u8, 2).Duplicate);
    }

    [Fact]
    public void Resend_windows_dropped_when_idle_are_read_back_at_the_senders_next_message()
    {
        const int Receiver = 200000;
        using var log = new MessageLog(_dir.Path);
        var seqs = Enumerable.Range(0, 50).Select(s => log.Append(FirstUser + s, Receiver, Id(s), "x"u8, 1).Seq).ToList();
        log.Commit(flushToDisk: false);
        Assert.Equal(50, log.SendersInMemory);

        Assert.Equal(50, log.ForgetResendWindows());
        Assert.Equal(0, log.SendersInMemory);
        for (int s = 0; s < 50; s++)
        {
            var resent = log.Append(FirstUser + s, Receiver, Id(s), "x"u8, 2);
            Assert.Equal((true, seqs[s]), (resent.Duplicate, resent.Seq));
        }
        Assert.False(log.HasStaged);
        Assert.Equal(50, log.SendersInMemory);
        // Not with messages staged: their ids would be lost from the window they were added to.
        log.Append(FirstUser, Receiver, Id(1000), "x"u8, 3);
        Assert.Throws<InvalidOperationException>(() => log.ForgetResendWindows());
    }

    [Fact]
    public void A_rolled_back_group_leaves_the_blocks_as_they_were()
    {
        using var log = new MessageLog(_dir.Path);
        Fill(log, 200, 2, seed: 1);
        for (int i = 0; i < 150; i++) log.Append(FirstUser, FirstUser + 1, Id(10_000 + i), "r"u8, 1);
        log.Rollback();
        AssertMatchesModel(log, 2, seed: 2);
        Fill(log, 200, 2, seed: 3);
        AssertMatchesModel(log, 2, seed: 4);
    }

    [Fact]
    public void The_resend_window_holds_exactly_the_latest_ids()
    {
        var ids = new RecentIds(1);
        var random = new Random(5);
        var order = new List<(ulong, ulong)>();
        for (int i = 0; i < 20_000; i++)
        {
            // Few distinct high halves and clustered low ones: many probe collisions.
            var key = ((ulong)random.Next(50_000), (ulong)random.Next(3));
            if (ids.TryGet(key.Item1, key.Item2, out ulong seq, out _))
            {
                Assert.Equal(key, order[(int)seq]);
                continue;
            }
            order.Add(key);
            ids.Add(key.Item1, key.Item2, (ulong)(order.Count - 1), i);
            // A rollback, when the add pushed nothing out (else the window is one shorter, by design).
            if (random.Next(10) == 0 && ids.Count < RecentIds.Capacity)
            {
                ids.RemoveNewest(key.Item1, key.Item2);
                order.RemoveAt(order.Count - 1);
            }
        }
        Assert.Equal(RecentIds.Capacity, ids.Count);
        var window = order.Skip(order.Count - RecentIds.Capacity).ToHashSet();
        foreach (var key in order.Distinct())
            Assert.Equal(window.Contains(key), ids.TryGet(key.Item1, key.Item2, out _, out _));
    }
}
