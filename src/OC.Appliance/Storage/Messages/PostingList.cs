namespace OC.Appliance.Storage.Messages;

/// <summary>
/// What memory holds of one posting list: where its newest block is on disk, and the entries not
/// yet in a block (the tail: fewer than <see cref="IndexBlock.MaxEntries"/> once committed, plus
/// the staged ones of the running group). Everything older is in the index file.
/// </summary>
internal sealed class PostingList(ulong key)
{
    private IndexEntry[] _tail = [];

    public ulong Key { get; } = key;

    /// <summary>Blocks on disk; the newest is number BlockCount - 1.</summary>
    public int BlockCount { get; set; }

    public long LastBlockOffset { get; set; }

    public ulong LastBlockFirstSeq { get; set; }

    /// <summary>The pointers the next block will carry (null: read them from the newest block when needed).</summary>
    public BlockPointer[]? NextPointers { get; set; }

    /// <summary>Queued to have full blocks cut from its tail at the next commit.</summary>
    public bool Queued { get; set; }

    public int TailCount { get; private set; }

    public ReadOnlySpan<IndexEntry> Tail => _tail.AsSpan(0, TailCount);

    public void Add(IndexEntry entry)
    {
        if (TailCount == _tail.Length) Array.Resize(ref _tail, Math.Max(8, _tail.Length * 2));
        _tail[TailCount++] = entry;
    }

    public void RemoveLast() => TailCount--;

    /// <summary>Gives back the tail's spare room (an idle list keeps only what it holds).</summary>
    public void TrimExcess()
    {
        int size = TailCount == 0 ? 0 : Math.Max(8, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)TailCount));
        if (size < _tail.Length) Array.Resize(ref _tail, size);
    }

    /// <summary>Drops the oldest <paramref name="count"/> tail entries (they went into a block).</summary>
    public void RemoveFirst(int count)
    {
        _tail.AsSpan(count, TailCount - count).CopyTo(_tail);
        TailCount -= count;
        // A big group can grow one tail to thousands: give that back once it is cut into blocks.
        if (_tail.Length > 4 * IndexBlock.MaxEntries && TailCount <= IndexBlock.MaxEntries) Array.Resize(ref _tail, IndexBlock.MaxEntries * 2);
    }
}
