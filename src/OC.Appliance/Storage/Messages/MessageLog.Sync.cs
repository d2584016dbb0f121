namespace OC.Appliance.Storage.Messages;

internal sealed partial class MessageLog
{
    /// <summary>Index entries read ahead per list while a SYNC merges a user's lists.</summary>
    private const int MergeChunk = 64;

    /// <summary>
    /// Hands everything of the user's after <paramref name="afterSeq"/> to <paramref name="sink"/>,
    /// oldest first, until it declines one; true when it did (more remain). That is their 1:1
    /// messages (sent or received: their own list) and, merged in seq order, the entries of each
    /// room within their span (<see cref="RoomSpans"/>): one cursor covers both, since the seqs are
    /// of one counter.
    /// </summary>
    public bool ReadForUser<TSink>(int user, ulong afterSeq, ref TSink sink) where TSink : IMessageSink, allows ref struct
    {
        var spans = Rooms.SpansOf(user);
        var sources = new List<MergeSource>(1 + spans.Length) { new(ListKey.User(user), afterSeq, UpTo: 0, SkipRooms: true) };
        foreach (var span in spans)
        {
            if (!span.IsMember && span.LeaveSeq <= afterSeq) continue;
            sources.Add(new MergeSource(ListKey.Room(span.RoomId), Math.Max(afterSeq, span.JoinSeq - 1), span.LeaveSeq, SkipRooms: false));
        }

        while (true)
        {
            MergeSource? next = null;
            foreach (var source in sources)
            {
                if (source.Head(this) is { } seq && (next is null || seq < next.Head(this))) next = source;
            }
            if (next is null) return false;
            var entry = next.Take();
            var record = ReadAt(entry.Offset);
            // A member's room message is also in the sender's own list (their resend window): the room's list brings it.
            if (next.SkipRooms && record.IsRoom) continue;
            if (!sink.Accept(record)) return true;
        }
    }

    /// <summary>One list being merged: its entries after a seq, read ahead in chunks, up to a seq (0: all).</summary>
    private sealed class MergeSource(ulong key, ulong after, ulong UpTo, bool SkipRooms)
    {
        private readonly IndexEntry[] _chunk = new IndexEntry[MergeChunk];
        private int _count;
        private int _next;
        private ulong _after = after;
        private bool _exhausted;

        public bool SkipRooms { get; } = SkipRooms;

        /// <summary>The seq of the next entry (null: none left).</summary>
        public ulong? Head(MessageLog log)
        {
            if (_next == _count)
            {
                if (_exhausted) return null;
                _count = log.OldestAfter(key, _after, _chunk);
                _next = 0;
                _exhausted = _count < _chunk.Length;
                if (_count == 0) return null;
                _after = _chunk[_count - 1].Seq;
            }
            ulong seq = _chunk[_next].Seq;
            if (UpTo != 0 && seq > UpTo)
            {
                _exhausted = true;
                _next = _count;
                return null;
            }
            return seq;
        }

        public IndexEntry Take() => _chunk[_next++];
    }
}
