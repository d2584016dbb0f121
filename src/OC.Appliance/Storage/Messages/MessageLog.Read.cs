namespace OC.Appliance.Storage.Messages;

/// <summary>
/// Takes messages read from the log, one at a time (the record's spans live only during the call).
/// A ref struct may take them (generic, no boxing), so a frame writer can stay on the stack.
/// </summary>
internal interface IMessageSink
{
    /// <summary>Takes one message; false stops the read before it (the page is full).</summary>
    bool Accept(in MessageRecord message);
}

internal sealed partial class MessageLog
{
    /// <summary>How many of a sender's latest entries (sent and received) are read to rebuild their resend window.</summary>
    internal const int RecentScanLimit = 8 * RecentIds.Capacity;

    /// <summary>
    /// The newest <paramref name="limit"/> messages between the two users before
    /// <paramref name="beforeSeq"/> (0: from the newest), oldest first: how many, whether older
    /// ones exist, and <paramref name="read"/> hands them over.
    /// </summary>
    public ConversationPage Conversation(int user, int peer, ulong beforeSeq, int limit)
    {
        limit = Math.Clamp(limit, 0, _page.Length - 1);
        int n = NewestBefore(ListKey.Conversation(user, peer), beforeSeq, _page.AsSpan(0, limit + 1));
        int take = Math.Min(limit, n);
        return new ConversationPage(this, take, More: n > take);
    }

    /// <summary>
    /// One page of a room's stream as <paramref name="user"/> may read it: the newest
    /// <paramref name="limit"/> entries of their span before <paramref name="beforeSeq"/> (0: from
    /// the newest they may see), oldest first. Null when they never were a member.
    /// </summary>
    public ConversationPage? RoomPage(int user, int roomId, ulong beforeSeq, int limit)
    {
        if (Rooms.SpanOf(user, roomId) is not { } span) return null;
        ulong before = beforeSeq == 0 ? ulong.MaxValue : beforeSeq;
        if (!span.IsMember) before = Math.Min(before, span.LeaveSeq + 1);
        limit = Math.Clamp(limit, 0, _page.Length - 1);
        int n = NewestBefore(ListKey.Room(roomId), before, _page.AsSpan(0, limit + 1));
        // Newest first: those before the member's join are at the end, and not theirs to read.
        int inSpan = 0;
        while (inSpan < n && _page[inSpan].Seq >= span.JoinSeq) inSpan++;
        int take = Math.Min(limit, inSpan);
        return new ConversationPage(this, take, More: inSpan > take);
    }

    /// <summary>One page of a conversation or a room (see <see cref="Conversation"/>); valid until the log is read or changed again.</summary>
    internal readonly record struct ConversationPage(MessageLog Log, int Count, bool More)
    {
        public void Read<TSink>(ref TSink sink) where TSink : IMessageSink, allows ref struct
        {
            // The page holds them newest first.
            for (int i = Count - 1; i >= 0; i--)
            {
                if (!sink.Accept(Log.ReadAt(Log._page[i].Offset))) return;
            }
        }
    }

    /// <summary>The sender's resend window: from memory, or read back from their list in the index.</summary>
    private RecentIds RecentFor(int sender)
    {
        if (_recent.Get(sender) is { } known) return known;
        var ids = LoadRecent(sender);
        _recent.Add(ids);
        return ids;
    }

    /// <summary>
    /// The ids of the sender's latest messages, newest first from their list (sent and received,
    /// at most <see cref="RecentScanLimit"/> entries), kept where they sent it: what the window
    /// held before a restart or before memory dropped it.
    /// </summary>
    private RecentIds LoadRecent(int sender)
    {
        var found = new List<(ulong Low, ulong High, ulong Seq, long TimeMs)>();
        ulong before = 0;
        int scanned = 0;
        while (found.Count < RecentIds.Capacity && scanned < RecentScanLimit)
        {
            int n = NewestBefore(ListKey.User(sender), before, _entries);
            for (int i = 0; i < n && found.Count < RecentIds.Capacity; i++)
            {
                var record = ReadAt(_entries[i].Offset);
                if (record.From != sender) continue;
                var (low, high) = RecentIds.Key(record.Id);
                found.Add((low, high, record.Seq, record.TimeMs));
            }
            if (n < _entries.Length) break;
            scanned += n;
            before = _entries[n - 1].Seq;
        }
        var ids = new RecentIds(sender);
        for (int i = found.Count - 1; i >= 0; i--)
        {
            var (low, high, seq, timeMs) = found[i];
            if (!ids.TryGet(low, high, out _, out _)) ids.Add(low, high, seq, timeMs);
        }
        return ids;
    }

    private int NewestBefore(ulong key, ulong beforeSeq, Span<IndexEntry> destination)
    {
        try
        {
            return Retained(destination, _index.NewestBefore(key, beforeSeq, destination));
        }
        catch (IndexDamagedException e)
        {
            RebuildIndex(e);
            return Retained(destination, _index.NewestBefore(key, beforeSeq, destination));
        }
    }

    private int OldestAfter(ulong key, ulong afterSeq, Span<IndexEntry> destination)
    {
        afterSeq = Math.Max(afterSeq, FirstRetainedSeq - 1); // never an expired one
        try
        {
            return _index.OldestAfter(key, afterSeq, destination);
        }
        catch (IndexDamagedException e)
        {
            RebuildIndex(e);
            return _index.OldestAfter(key, afterSeq, destination);
        }
    }
}
