using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage.Messages;

internal sealed partial class MessageLog
{
    /// <summary>Records added to the index per commit of a scan (bounds the staged entries of a rebuild).</summary>
    private const int ScanBatch = 8192;

    /// <summary>
    /// Opens an existing log: checks the magic, takes the index's checkpoint if it still describes
    /// this log, replays the log after it (all of it without one), and cuts off a torn tail (the
    /// part of a group that was being written when the power went).
    /// </summary>
    private void Load()
    {
        long started = Environment.TickCount64;
        long length = RandomAccess.GetLength(_file);
        var magic = new byte[Magic.Length];
        if (RandomAccess.Read(_file, magic, 0) != Magic.Length || !magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{_path} is not an OC message log");

        long from = RetainedStart();
        if (_index.Open() is { } coverage)
        {
            if (Describes(coverage, length) is { } problem)
            {
                Log.Warn("messages.index_rebuild", $"{MessageIndex.CheckpointFileName} does not match {_path} ({problem}): rebuilding the index from the log");
                _index.Reset();
            }
            else
            {
                from = coverage.LogLength;
                _committedSeq = coverage.LastSeq;
                _lastRecordOffset = coverage.LastRecordOffset;
                // A checkpoint older than the last retention step: what it lacks expired anyway.
                if (from < _retention.Offset) from = RetainedStart();
            }
        }
        if (from == _retention.Offset) SeedRooms(); // the scan starts at the kept part
        if (from == Magic.Length && length > Magic.Length) Log.Info("messages.index_build", $"{_path}: reading the whole log to build its index");

        _index.LogLength = from;
        long position = Scan(from, length);
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
        _index.LogLength = position;
        long replayed = position - from;
        if (replayed > 0) Checkpoint();
        if (replayed > 64 * 1024 * 1024)
        {
            // A long replay (a whole log read once) leaves its buffers and every list's spare tail
            // as garbage: give that memory back now rather than keep it while the appliance idles.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        Log.Info("messages.open", $"{_path}: {Count} messages, last seq {_committedSeq}; index: {_index.ListCount} lists, {replayed} bytes of log replayed, {Environment.TickCount64 - started} ms");
    }

    /// <summary>Why a checkpoint does not describe this log (null: it does): its last record must be where it says.</summary>
    private string? Describes(IndexCoverage coverage, long length)
    {
        if (CoversOnlyExpired(coverage)) return null;
        if (coverage.LogLength < Magic.Length || coverage.LogLength > length) return $"it covers {coverage.LogLength} bytes, the log has {length}";
        if (coverage.LastSeq == 0) return coverage.LogLength == Magic.Length ? null : "no last seq";
        if (coverage.LastRecordOffset < Magic.Length || coverage.LastRecordOffset >= coverage.LogLength) return "its last record is outside the log";
        int n = RandomAccess.Read(_file, _readBuffer, coverage.LastRecordOffset);
        if (!MessageRecord.TryRead(_readBuffer.AsSpan(0, n), out var record, out int size)) return $"no whole record at offset {coverage.LastRecordOffset}";
        if (record.Seq != coverage.LastSeq || coverage.LastRecordOffset + size != coverage.LogLength) return $"the record at offset {coverage.LastRecordOffset} is seq {record.Seq}, not {coverage.LastSeq}";
        return null;
    }

    /// <summary>
    /// Adds the whole records from <paramref name="from"/> on to the index, in seq order, until
    /// <paramref name="to"/> or the first record that is not whole or not the next seq; returns
    /// where that is. Commits the index every <see cref="ScanBatch"/> records.
    /// </summary>
    private long Scan(long from, long to)
    {
        var buffer = new byte[1024 * 1024];
        int filled = 0;
        long fileOffset = from; // offset of buffer[0]
        int batch = 0;
        while (true)
        {
            int n = RandomAccess.Read(_file, buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, to - fileOffset - filled)), fileOffset + filled);
            filled += n;
            int used = 0;
            while (MessageRecord.TryRead(buffer.AsSpan(used, filled - used), out var record, out int size))
            {
                if (record.Seq != _committedSeq + 1) break; // not the next one: treat as the torn tail
                _index.Add(record, fileOffset + used);
                _committedSeq = record.Seq;
                _lastRecordOffset = fileOffset + used;
                used += size;
                if (++batch == ScanBatch)
                {
                    _index.LogLength = fileOffset + used;
                    _index.CommitStaged();
                    batch = 0;
                }
            }
            if (n == 0 || used == 0 && filled == buffer.Length)
            {
                _index.LogLength = fileOffset + used;
                _index.CommitStaged();
                return fileOffset + used;
            }
            // Keep the unparsed tail (a record cut by the buffer's end) and read on.
            buffer.AsSpan(used, filled - used).CopyTo(buffer);
            filled -= used;
            fileOffset += used;
        }
    }

    /// <summary>
    /// The index was found damaged (a bad block, a failed write): says so, and builds it again
    /// from the committed log and the records staged in the running group.
    /// </summary>
    private void RebuildIndex(IndexDamagedException damage)
    {
        Log.Warn("messages.index_rebuild", $"{damage.Message}: rebuilding the index from the log");
        long started = Environment.TickCount64;
        ulong seq = _committedSeq;
        _index.Reset();
        long start = RetainedStart();
        SeedRooms();
        _index.LogLength = start;
        long reached = Scan(start, _committedLength);
        if (reached != _committedLength || _committedSeq != seq)
        {
            _committedSeq = seq;
            throw new InvalidDataException($"{_path}: the log itself is damaged at offset {reached} (after seq {_committedSeq}); restore the data folder from a backup");
        }
        _index.LogLength = _committedLength;
        _index.CommitStaged();
        var staged = _staged.Span;
        for (int at = 0; at < staged.Length;)
        {
            if (!MessageRecord.TryRead(staged[at..], out var record, out int size)) throw new InvalidDataException($"{_path}: a staged record is corrupt");
            _index.Add(record, _committedLength + at);
            at += size;
        }
        if (!HasStaged)
        {
            try
            {
                _index.Checkpoint(Coverage);
            }
            catch (IOException e)
            {
                Log.Warn("messages.checkpoint", $"the index checkpoint failed: {e.Message}; an open replays more of the log");
            }
        }
        Log.Info("messages.index_rebuilt", $"{_path}: {_index.ListCount} lists from {Count} messages in {Environment.TickCount64 - started} ms");
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
