using System.Text;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Messages;

namespace OC.Tests.Storage;

/// <summary>
/// Rooms' streams in the message log against a model: members' spans from the Joined, Left and
/// Kicked entries, SYNC merging each user's 1:1 messages with their rooms' spans in one seq order,
/// room history within the span, and all of it the same after a checkpoint, after replaying the
/// log's tail, after a whole rebuild of the index, and after a rolled-back group.
/// </summary>
[Collection(nameof(MessageIndexTests))]
public sealed class RoomStreamTests : IDisposable
{
    private const int FirstUser = 100001;
    private const int FirstRoom = 500001;
    private const int Users = 6;
    private const int Rooms = 3;
    private readonly TempDirectory _dir = new();
    private readonly List<Entry> _model = [];
    private int _next;

    private sealed record Entry(ulong Seq, int From, int To, int Room, RoomMessageKind Kind, int Subject);

    public void Dispose() => _dir.Dispose();

    private static byte[] Id(int n) => new Guid(n, 0, 0, new byte[8]).ToByteArray();

    /// <summary>The model's spans: each user's latest (join, leave) per room, replayed in seq order.</summary>
    private Dictionary<(int User, int Room), (ulong Join, ulong Leave)> Spans()
    {
        var spans = new Dictionary<(int, int), (ulong, ulong)>();
        foreach (var e in _model.Where(e => e.Room != 0))
        {
            if (e.Kind == RoomMessageKind.Joined) spans[(e.Subject, e.Room)] = (e.Seq, 0);
            else if (e.Kind is RoomMessageKind.Left or RoomMessageKind.Kicked && spans.TryGetValue((e.Subject, e.Room), out var s) && s.Item2 == 0)
                spans[(e.Subject, e.Room)] = (s.Item1, e.Seq);
        }
        return spans;
    }

    private bool IsMember(int user, int room) => Spans().TryGetValue((user, room), out var s) && s.Leave == 0;

    /// <summary>A random mix of 1:1 messages, room messages and membership changes, committed in groups.</summary>
    private void Fill(MessageLog log, int count, int seed, int groupSize = 50)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int user = FirstUser + random.Next(Users);
            int room = FirstRoom + random.Next(Rooms);
            int n = ++_next;
            long time = 1_700_000_000_000 + n;
            int roll = random.Next(100);
            if (roll < 30)
            {
                int to = FirstUser + random.Next(Users);
                var r = log.Append(user, to, Id(n), Encoding.UTF8.GetBytes($"d{n}"), time);
                _model.Add(new Entry(r.Seq, user, to, 0, RoomMessageKind.Text, 0));
            }
            else if (roll < 80)
            {
                var r = log.AppendToRoom(user, room, Id(n), Encoding.UTF8.GetBytes($"r{n}"), time);
                // Refused exactly when the model says the sender is not a member at this point.
                Assert.Equal(IsMember(user, room), r is not null);
                if (r is { } ok) _model.Add(new Entry(ok.Seq, user, 0, room, RoomMessageKind.Text, 0));
            }
            else
            {
                var kind = IsMember(user, room) ? (random.Next(2) == 0 ? RoomMessageKind.Left : RoomMessageKind.Kicked) : RoomMessageKind.Joined;
                int actor = kind == RoomMessageKind.Kicked ? FirstUser : user;
                var r = log.AppendRoomEntry(kind, room, actor, user, 0, Encoding.UTF8.GetBytes($"nick{user}"), time);
                _model.Add(new Entry(r.Seq, actor, 0, room, kind, user));
            }
            if (i % groupSize == groupSize - 1) log.Commit(flushToDisk: false);
        }
        log.Commit(flushToDisk: false);
    }

    private sealed class Sink(int max) : IMessageSink
    {
        public List<(ulong Seq, bool Room, int Subject)> Seen { get; } = [];

        public bool Accept(in MessageRecord message)
        {
            if (Seen.Count == max) return false;
            Seen.Add((message.Seq, message.IsRoom, message.IsRoom ? RoomRecords.Subject(message) : 0));
            return true;
        }
    }

    private List<ulong> VisibleTo(int user)
    {
        var spans = Spans();
        return [.. _model.Where(e => e.Room == 0
                ? e.From == user || e.To == user
                : spans.TryGetValue((user, e.Room), out var s) && e.Seq >= s.Join && (s.Leave == 0 || e.Seq <= s.Leave))
            .Select(e => e.Seq)];
    }

    private void AssertMatchesModel(MessageLog log, int seed)
    {
        var random = new Random(seed);
        ulong last = _model[^1].Seq;
        var spans = Spans();
        for (int u = 0; u < Users; u++)
        {
            int user = FirstUser + u;
            var visible = VisibleTo(user);
            foreach (ulong after in new ulong[] { 0, (ulong)random.NextInt64(0, (long)last + 1), (ulong)random.NextInt64(0, (long)last + 1) })
            {
                int max = random.Next(1, 400);
                var sink = new Sink(max);
                bool more = log.ReadForUser(user, after, ref sink);
                var expected = visible.Where(s => s > after).ToList();
                Assert.Equal(expected.Take(max), sink.Seen.Select(s => s.Seq));
                Assert.Equal(expected.Count > max, more);
            }
            for (int r = 0; r < Rooms; r++)
            {
                int room = FirstRoom + r;
                var page = log.RoomPage(user, room, 0, 10);
                if (!spans.TryGetValue((user, room), out var span))
                {
                    Assert.Null(page);
                    continue;
                }
                var inSpan = _model.Where(e => e.Room == room && e.Seq >= span.Join && (span.Leave == 0 || e.Seq <= span.Leave)).Select(e => e.Seq).ToList();
                foreach (ulong before in new ulong[] { 0, (ulong)random.NextInt64(1, (long)last + 2), last + 5 })
                {
                    int limit = random.Next(1, 60);
                    var p = log.RoomPage(user, room, before, limit)!.Value;
                    var sink = new Sink(int.MaxValue);
                    p.Read(ref sink);
                    var older = inSpan.Where(s => before == 0 || s < before).ToList();
                    Assert.Equal(older.TakeLast(limit), sink.Seen.Select(s => s.Seq));
                    Assert.Equal(older.Count > limit, p.More);
                }
                Assert.Equal(span.Leave == 0, log.Rooms.IsMember(room, user));
            }
        }
        for (int r = 0; r < Rooms; r++)
        {
            int room = FirstRoom + r;
            var members = Enumerable.Range(0, Users).Select(u => FirstUser + u).Where(u => spans.TryGetValue((u, room), out var s) && s.Leave == 0).Order();
            Assert.Equal(members, log.Rooms.MembersOf(room).ToArray().Order());
        }
        Assert.Equal(_model.Count(e => e.Room != 0 && e.Kind == RoomMessageKind.Text), log.Rooms.TextEntries);
    }

    [Fact]
    public void Spans_history_and_sync_match_the_model_live_after_a_checkpoint_after_a_replay_and_after_a_rebuild()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Fill(log, 3000, seed: 1);
            AssertMatchesModel(log, seed: 2);
            log.Checkpoint();
            Fill(log, 1500, seed: 3);
        }
        // Opened from the checkpoint, with the tail replayed.
        using (var log = new MessageLog(_dir.Path))
        {
            AssertMatchesModel(log, seed: 4);
            log.Checkpoint();
        }
        using (var log = new MessageLog(_dir.Path)) AssertMatchesModel(log, seed: 5);
        // No checkpoint: the whole log is read again, and the spans come out the same.
        File.Delete(_dir.Sub(MessageIndex.CheckpointFileName));
        using (var log = new MessageLog(_dir.Path))
        {
            AssertMatchesModel(log, seed: 6);
            Fill(log, 500, seed: 7);
            AssertMatchesModel(log, seed: 8);
        }
    }

    [Fact]
    public void A_rolled_back_group_takes_its_joins_and_kicks_back_out()
    {
        using var log = new MessageLog(_dir.Path);
        Assert.Null(log.AppendToRoom(FirstUser, FirstRoom, Id(1), "x"u8, 1));
        log.AppendRoomEntry(RoomMessageKind.Joined, FirstRoom, FirstUser, FirstUser, 0, "a"u8, 1);
        log.AppendRoomEntry(RoomMessageKind.Joined, FirstRoom, FirstUser, FirstUser + 1, 0, "b"u8, 1);
        log.Commit(flushToDisk: false);

        log.AppendRoomEntry(RoomMessageKind.Kicked, FirstRoom, FirstUser, FirstUser + 1, 0, "b"u8, 2);
        log.AppendRoomEntry(RoomMessageKind.Joined, FirstRoom, FirstUser, FirstUser + 2, 0, "c"u8, 2);
        Assert.NotNull(log.AppendToRoom(FirstUser + 2, FirstRoom, Id(2), "hi"u8, 2));
        Assert.Null(log.AppendToRoom(FirstUser + 1, FirstRoom, Id(3), "late"u8, 2));
        log.Rollback();

        Assert.Equal(new[] { FirstUser, FirstUser + 1 }, log.Rooms.MembersOf(FirstRoom).ToArray().Order());
        Assert.Null(log.Rooms.SpanOf(FirstUser + 2, FirstRoom));
        Assert.Equal(new RoomSpan(FirstRoom, 2, 0), log.Rooms.SpanOf(FirstUser + 1, FirstRoom));
        Assert.Equal(0, log.Rooms.TextEntries);
        Assert.NotNull(log.AppendToRoom(FirstUser + 1, FirstRoom, Id(4), "still in"u8, 3));
        log.Commit(flushToDisk: false);
        Assert.Equal(1, log.Rooms.TextEntries);
    }

    [Fact]
    public void A_member_s_room_messages_are_in_their_resend_window_after_reopening()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            log.AppendRoomEntry(RoomMessageKind.Joined, FirstRoom, FirstUser, FirstUser, 0, "a"u8, 1);
            Assert.False(log.AppendToRoom(FirstUser, FirstRoom, Id(7), "once"u8, 1)!.Value.Duplicate);
            log.Commit(flushToDisk: false);
        }
        using var again = new MessageLog(_dir.Path);
        var resent = again.AppendToRoom(FirstUser, FirstRoom, Id(7), "once"u8, 2)!.Value;
        Assert.True(resent.Duplicate);
        Assert.Equal(2ul, resent.Seq);
        Assert.False(again.HasStaged);
    }
}
