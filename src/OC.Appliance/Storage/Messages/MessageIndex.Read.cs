namespace OC.Appliance.Storage.Messages;

internal sealed partial class MessageIndex
{
    /// <summary>
    /// The list's entries with seq &lt; <paramref name="beforeSeq"/> (0: all), newest first, as
    /// many as <paramref name="destination"/> holds; returns how many.
    /// </summary>
    public int NewestBefore(ulong key, ulong beforeSeq, Span<IndexEntry> destination)
    {
        ThrowIfBroken();
        if (destination.IsEmpty || !_lists.TryGetValue(key, out var list)) return 0;
        ulong limit = beforeSeq == 0 ? ulong.MaxValue : beforeSeq;
        int n = 0;
        var tail = list.Tail;
        for (int i = tail.Length - 1; i >= 0 && n < destination.Length; i--)
        {
            if (tail[i].Seq < limit) destination[n++] = tail[i];
        }
        if (n == destination.Length || list.BlockCount == 0) return n;

        var (number, at) = Locate(list, int.MaxValue, limit - 1);
        while (number >= 0 && n < destination.Length)
        {
            var block = ReadBlock(list, number, at);
            for (int i = block.EntryCount - 1; i >= 0 && n < destination.Length; i--)
            {
                var entry = block.Entry(i);
                if (entry.Seq < limit) destination[n++] = entry;
            }
            if (number == 0) break;
            at = block.Pointer(0);
            number--;
        }
        return n;
    }

    /// <summary>
    /// The list's entries with seq &gt; <paramref name="afterSeq"/>, oldest first, as many as
    /// <paramref name="destination"/> holds; returns how many.
    /// </summary>
    public int OldestAfter(ulong key, ulong afterSeq, Span<IndexEntry> destination)
    {
        ThrowIfBroken();
        if (destination.IsEmpty || !_lists.TryGetValue(key, out var list)) return 0;
        int n = 0;
        var tail = list.Tail;
        bool onlyTail = list.BlockCount == 0 || tail.Length > 0 && tail[0].Seq <= afterSeq;
        if (!onlyTail)
        {
            // The block that holds the first entry after afterSeq: the newest starting at or before it, or block 0.
            var (number, _) = Locate(list, int.MaxValue, afterSeq);
            for (number = Math.Max(number, 0); number < list.BlockCount && n < destination.Length; number++)
            {
                var (found, at) = Locate(list, number, ulong.MaxValue);
                var block = ReadBlock(list, found, at);
                for (int i = 0; i < block.EntryCount && n < destination.Length; i++)
                {
                    var entry = block.Entry(i);
                    if (entry.Seq > afterSeq) destination[n++] = entry;
                }
            }
        }
        for (int i = 0; i < tail.Length && n < destination.Length; i++)
        {
            if (tail[i].Seq > afterSeq) destination[n++] = tail[i];
        }
        return n;
    }

    /// <summary>
    /// The newest block of the list with number ≤ <paramref name="maxNumber"/> and first seq ≤
    /// <paramref name="maxFirstSeq"/> (number -1: none), found from the newest block down the skip
    /// pointers: at each block, the farthest pointer that still lands after the answer.
    /// </summary>
    private (int Number, BlockPointer At) Locate(PostingList list, int maxNumber, ulong maxFirstSeq)
    {
        int number = list.BlockCount - 1;
        var at = new BlockPointer(list.LastBlockOffset, list.LastBlockFirstSeq);
        while (true)
        {
            if (number <= maxNumber && at.FirstSeq <= maxFirstSeq) return (number, at);
            var block = ReadBlock(list, number, at);
            if (block.PointerCount == 0) return (-1, default);
            int pick = 0;
            for (int j = block.PointerCount - 1; j > 0; j--)
            {
                var p = block.Pointer(j);
                if (IndexBlock.Target(number, j) > maxNumber || p.FirstSeq > maxFirstSeq)
                {
                    pick = j;
                    break;
                }
            }
            // pick 0 is the block just before, whether or not it is the answer.
            at = block.Pointer(pick);
            number = IndexBlock.Target(number, pick);
        }
    }

    /// <summary>Reads block <paramref name="number"/> of the list at <paramref name="at"/>, checked (valid until the next read).</summary>
    private IndexBlock ReadBlock(PostingList list, int number, BlockPointer at)
    {
        if (at.Offset < Magic.Length || at.Offset >= _length)
            throw new IndexDamagedException($"{_path}: block {number} of list {list.Key:x} at offset {at.Offset} is outside the file ({_length} bytes)");
        int n = RandomAccess.Read(_file, _readBuffer.AsSpan(0, (int)Math.Min(_readBuffer.Length, _length - at.Offset)), at.Offset);
        if (IndexBlock.TryRead(_readBuffer.AsSpan(0, n), list.Key, number, at.FirstSeq, LogLength, out var block) is { } problem)
            throw new IndexDamagedException($"{_path}: block {number} of list {list.Key:x} at offset {at.Offset}: {problem}");
        return block;
    }

    private void ThrowIfBroken()
    {
        if (_broken) throw new IndexDamagedException($"{_path}: a write failed earlier");
    }
}
