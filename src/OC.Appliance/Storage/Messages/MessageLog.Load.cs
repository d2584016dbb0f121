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
            if (n == 0) break;
        }
        _index.CommitStaged();

        if (position < length)
        {
            Log.Warn("messages.torn_tail", $"{_path}: cutting {length - position} bytes after the last whole message (seq {_committedSeq})");
            RandomAccess.SetLength(_file, position);
            RandomAccess.FlushToDisk(_file);
        }
        _committedLength = position;
        Log.Info("messages.open", $"{_path}: {Count} messages, last seq {_committedSeq}");
    }
}
