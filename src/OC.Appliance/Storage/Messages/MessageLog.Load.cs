using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage.Messages;

internal sealed partial class MessageLog
{
    /// <summary>
    /// Reads the whole log once: checks the magic, rebuilds the indexes, and cuts off a torn tail
    /// (the part of a group that was being written when the power went).
    /// </summary>
    private void Load()
    {
        long length = RandomAccess.GetLength(_file);
        var magic = new byte[Magic.Length];
        if (RandomAccess.Read(_file, magic, 0) != Magic.Length || !magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{_path} is not an OC message log");

        var buffer = new byte[1024 * 1024];
        long position = Magic.Length;
        int filled = 0;
        long fileOffset = Magic.Length; // offset of buffer[0]
        while (true)
        {
            int n = RandomAccess.Read(_file, buffer.AsSpan(filled), fileOffset + filled);
            filled += n;
            int used = 0;
            while (MessageRecord.TryRead(buffer.AsSpan(used, filled - used), out var record, out int size))
            {
                if (record.Seq != _committedSeq + 1) break; // not the next one: treat as the torn tail
                _index.Add(record.Seq, fileOffset + used, record.From, record.To, new Guid(record.Id), record.TimeMs);
                _committedSeq = record.Seq;
                Count++;
                used += size;
            }
            position = fileOffset + used;
            if (n == 0 || used == 0 && filled == buffer.Length) break;
            // Keep the unparsed tail (a record cut by the buffer's end) and read on.
            buffer.AsSpan(used, filled - used).CopyTo(buffer);
            filled -= used;
            fileOffset += used;
        }
        _index.CommitStaged();

        if (position < length)
        {
            // A torn write can only be the tail: a group is appended and fsynced before any reply.
            // Whole, later messages after the bad bytes mean damage in the middle (a bad sector,
            // an edit): cutting there would throw acknowledged messages away, so refuse instead.
            if (FindLaterRecord(position, length) is long later)
                throw new InvalidDataException(
                    $"{_path} is damaged at offset {position} (after seq {_committedSeq}) and holds whole messages after it (from offset {later}); " +
                    "nothing was changed: restore the data folder from a backup, or move the file aside to start with the messages before the damage");
            Log.Warn("messages.torn_tail", $"{_path}: cutting {length - position} bytes after the last whole message (seq {_committedSeq})");
            RandomAccess.SetLength(_file, position);
            RandomAccess.FlushToDisk(_file);
        }
        _committedLength = position;
        Log.Info("messages.open", $"{_path}: {Count} messages, last seq {_committedSeq}");
    }

    /// <summary>The offset of a whole record with a later seq somewhere after <paramref name="from"/>, if any.</summary>
    private long? FindLaterRecord(long from, long length)
    {
        var window = new byte[MessageRecord.MaxSize * 2];
        for (long start = from + 1; start < length; start += MessageRecord.MaxSize)
        {
            int n = RandomAccess.Read(_file, window, start);
            for (int i = 0; i < Math.Min(n, MessageRecord.MaxSize); i++)
            {
                if (MessageRecord.TryRead(window.AsSpan(i, n - i), out var record, out _) && record.Seq > _committedSeq)
                    return start + i;
            }
        }
        return null;
    }
}
