namespace OC.Appliance.Storage.Messages;

/// <summary>
/// The resend windows of the senders seen lately, at most <see cref="MaxIds"/> ids and
/// <see cref="MaxSenders"/> senders: the least recently used is dropped past either (and read
/// back from the index when it sends again, <see cref="MessageLog"/>.RecentFor), so memory
/// follows active senders, not history.
/// </summary>
/// <remarks>
/// The budget is in ids, not senders: windows start small and grow with what a sender sends.
/// A sender dropped and sending again costs a read of up to 8,192 index entries and their log
/// records, so the budget must hold every sender who is sending at once: a cap of 256 senders
/// made every message of 1,000 pairs (2,000 senders) miss and read its window back from disk
/// (56,000-65,000 messages a second instead of 760,000). 2,048 full windows is ~72 MiB at
/// most, held only while that many senders have each sent 1,024 messages lately; a smaller
/// exact window plus a filter for the rest is the way to shrink it.
/// </remarks>
internal sealed class RecentIdCache
{
    /// <summary>2,048 full windows (~72 MiB at most; 36 KiB each).</summary>
    public const int MaxIds = 2048 * RecentIds.Capacity;

    /// <summary>Bounds the per-sender overhead when many senders hold small windows.</summary>
    public const int MaxSenders = 8192;

    private readonly Dictionary<int, RecentIds> _bySender = [];
    private RecentIds? _newest;
    private RecentIds? _oldest;

    public int Count => _bySender.Count;

    /// <summary>The sender's window if memory holds it, now the most recently used.</summary>
    public RecentIds? Get(int sender)
    {
        if (!_bySender.TryGetValue(sender, out var ids)) return null;
        if (ids != _newest)
        {
            Detach(ids);
            AttachNewest(ids);
        }
        return ids;
    }

    public void Add(RecentIds ids)
    {
        _bySender[ids.Sender] = ids;
        AttachNewest(ids);
    }

    /// <summary>Drops the least recently used past the caps; between groups only, so no staged id is dropped.</summary>
    public void Trim()
    {
        long held = 0;
        foreach (var ids in _bySender.Values) held += ids.Count;
        while ((held > MaxIds || _bySender.Count > MaxSenders) && _oldest is { } oldest)
        {
            held -= oldest.Count;
            Detach(oldest);
            _bySender.Remove(oldest.Sender);
        }
    }

    /// <summary>Ids held in all windows.</summary>
    public long Ids
    {
        get
        {
            long held = 0;
            foreach (var ids in _bySender.Values) held += ids.Count;
            return held;
        }
    }

    public void Clear()
    {
        _bySender.Clear();
        _newest = _oldest = null;
    }

    private void AttachNewest(RecentIds ids)
    {
        ids.Older = _newest;
        ids.Newer = null;
        if (_newest is not null) _newest.Newer = ids;
        _newest = ids;
        _oldest ??= ids;
    }

    private void Detach(RecentIds ids)
    {
        if (ids.Newer is not null) ids.Newer.Older = ids.Older; else _newest = ids.Older;
        if (ids.Older is not null) ids.Older.Newer = ids.Newer; else _oldest = ids.Newer;
        ids.Newer = ids.Older = null;
    }
}
