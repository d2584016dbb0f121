using OC.Appliance.Storage.Messages;

namespace OC.Appliance.Backup;

/// <summary>
/// The point of a stopped appliance's message log, read without opening it as the appliance does
/// (which builds the in-memory index of every message: a gigabyte for ten million). Only for a
/// whole log: every byte after the magic a record, seqs 1, 2, 3, ... to the end. Anything else (a
/// torn tail, damage) is left to the message worker, which cuts or refuses exactly as at start.
/// Read only; the data folder's lock keeps the appliance from appending meanwhile.
/// </summary>
internal static class LogScan
{
    // Another magic than MessageLog's is the message worker's to judge.
    private static ReadOnlySpan<byte> Magic => MessageLog.Magic;

    /// <summary>The point at the log's end, or null when the log is missing or not whole.</summary>
    public static MessagesPoint? TryWhole(string path)
    {
        if (!File.Exists(path)) return null;
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        long length = RandomAccess.GetLength(file);
        Span<byte> magic = stackalloc byte[Magic.Length];
        if (RandomAccess.Read(file, magic, 0) != Magic.Length || !magic.SequenceEqual(Magic)) return null;

        var buffer = new byte[1024 * 1024];
        // With --retention the log starts at its first kept record: before it is an erased hole.
        RetentionPoint kept;
        try
        {
            kept = MessageLog.ReadRetention(Path.GetDirectoryName(Path.GetFullPath(path))!) ?? RetentionPoint.None;
        }
        catch (InvalidDataException)
        {
            return null; // damaged: the message worker refuses it with the reason
        }
        if (kept.Offset > length) return null;
        long fileOffset = kept.Offset; // offset of buffer[0]
        int filled = 0;
        long count = 0;
        ulong lastSeq = kept.FirstSeq - 1;
        while (true)
        {
            int n = RandomAccess.Read(file, buffer.AsSpan(filled), fileOffset + filled);
            filled += n;
            int used = 0;
            while (MessageRecord.TryRead(buffer.AsSpan(used, filled - used), out var record, out int size))
            {
                if (record.Seq != lastSeq + 1) return null;
                lastSeq = record.Seq;
                count++;
                used += size;
            }
            if (n == 0) return fileOffset + used == length && used == filled ? new MessagesPoint(length, count, lastSeq) : null;
            if (used == 0 && filled == buffer.Length) return null;
            buffer.AsSpan(used, filled - used).CopyTo(buffer);
            filled -= used;
            fileOffset += used;
        }
    }
}
