namespace OC.Appliance.Storage.Messages;

/// <summary>
/// Where each message is in the log: per user (for SYNC: everything of mine after seq N), per
/// conversation (for HISTORY), and each sender's recent message ids (to recognise a resend).
/// Entries are appended in seq order, so every list is sorted and searched by binary search.
/// Staged entries can be taken back out (a failed commit): they are always at the lists' ends.
/// </summary>
/// <remarks>
/// Memory: about 60 bytes per message plus the id window per active sender. That is fine for a
/// LAN appliance's first years (a million messages ≈ 60 MB); an on-disk index is the next step
/// when it is not.
/// </remarks>
internal sealed class MessageIndex
{
    /// <summary>How many of a sender's latest message ids are remembered to recognise resends.</summary>
    public const int RecentIdsPerSender = 1024;

    private readonly Dictionary<int, List<Entry>> _byUser = [];
    private readonly Dictionary<long, List<Entry>> _byConversation = [];
    private readonly Dictionary<int, RecentIds> _recent = [];
    private readonly List<(int From, int To, Guid Id)> _staged = [];

    public void Add(ulong seq, long offset, int from, int to, Guid id, long timeMs)
    {
        var entry = new Entry(seq, offset);
        ListFor(_byUser, from).Add(entry);
        if (to != from) ListFor(_byUser, to).Add(entry);
        ListFor(_byConversation, ConversationKey(from, to)).Add(entry);
        if (!_recent.TryGetValue(from, out var recent)) _recent[from] = recent = new RecentIds();
        recent.Add(id, seq, timeMs);
        _staged.Add((from, to, id));
    }

    public void CommitStaged() => _staged.Clear();

    public void RollbackStaged()
    {
        for (int i = _staged.Count - 1; i >= 0; i--)
        {
            var (from, to, id) = _staged[i];
            RemoveLast(_byUser[from]);
            if (to != from) RemoveLast(_byUser[to]);
            RemoveLast(_byConversation[ConversationKey(from, to)]);
            _recent[from].RemoveNewest(id);
        }
        _staged.Clear();
    }

    public bool TryFindRecent(int from, Guid id, out (ulong Seq, long TimeMs) found)
    {
        found = default;
        return _recent.TryGetValue(from, out var recent) && recent.TryGet(id, out found);
    }

    /// <summary>The user's messages (sent or received) with seq &gt; <paramref name="afterSeq"/>, oldest first.</summary>
    public ReadOnlySpan<Entry> ForUserAfter(int user, ulong afterSeq)
    {
        if (!_byUser.TryGetValue(user, out var list)) return default;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
        return span[UpperBound(span, afterSeq)..];
    }

    /// <summary>The conversation's messages with seq &lt; <paramref name="beforeSeq"/> (0 = all), oldest first.</summary>
    public ReadOnlySpan<Entry> ConversationBefore(int a, int b, ulong beforeSeq)
    {
        if (!_byConversation.TryGetValue(ConversationKey(a, b), out var list)) return default;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
        return beforeSeq == 0 ? span : span[..LowerBound(span, beforeSeq)];
    }

    private static long ConversationKey(int a, int b) => ((long)Math.Min(a, b) << 32) | (uint)Math.Max(a, b);

    private static List<Entry> ListFor<TKey>(Dictionary<TKey, List<Entry>> map, TKey key) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        return list;
    }

    private static void RemoveLast(List<Entry> list) => list.RemoveAt(list.Count - 1);

    /// <summary>First index whose seq is greater than <paramref name="seq"/>.</summary>
    private static int UpperBound(ReadOnlySpan<Entry> span, ulong seq)
    {
        int lo = 0, hi = span.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (span[mid].Seq <= seq) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>First index whose seq is at least <paramref name="seq"/>.</summary>
    private static int LowerBound(ReadOnlySpan<Entry> span, ulong seq)
    {
        int lo = 0, hi = span.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (span[mid].Seq < seq) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    internal readonly record struct Entry(ulong Seq, long Offset);

    /// <summary>A sender's last ids: a ring for age, a dictionary for lookup.</summary>
    private sealed class RecentIds
    {
        private readonly Dictionary<Guid, (ulong Seq, long TimeMs)> _byId = [];
        private readonly Queue<Guid> _order = new();

        public void Add(Guid id, ulong seq, long timeMs)
        {
            _byId[id] = (seq, timeMs);
            _order.Enqueue(id);
            if (_order.Count > RecentIdsPerSender) _byId.Remove(_order.Dequeue());
        }

        public bool TryGet(Guid id, out (ulong Seq, long TimeMs) found) => _byId.TryGetValue(id, out found);

        /// <summary>Undoes the latest Add of this id (rollback of a failed commit).</summary>
        public void RemoveNewest(Guid id) =>
            // The queue keeps the id: when it comes round it evicts nothing or a later resend of
            // the same id a little early, which only narrows the window.
            _byId.Remove(id);
    }
}
