namespace OC.Appliance.Storage.Messages;

/// <summary>
/// The resend windows of the senders seen lately, at most <see cref="MaxSenders"/>: the least
/// recently used is dropped past that (and read back from the index when it sends again,
/// <see cref="MessageLog"/>.RecentFor), so memory follows active senders, not history.
/// </summary>
internal sealed class RecentIdCache
{
    public const int MaxSenders = 256;

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

    /// <summary>Drops the least recently used past the cap; between groups only, so no staged id is dropped.</summary>
    public void Trim()
    {
        while (_bySender.Count > MaxSenders && _oldest is { } oldest)
        {
            Detach(oldest);
            _bySender.Remove(oldest.Sender);
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
