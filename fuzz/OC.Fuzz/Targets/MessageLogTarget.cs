using System.Buffers.Binary;
using OC.Appliance.Storage.Messages;

namespace OC.Fuzz.Targets;

/// <summary>
/// Message-log recovery: the input becomes messages.log in a scratch data folder and a MessageLog
/// opens it, as the appliance does at start. An even first byte puts the "OCMSGLG1" magic before
/// the rest (so the fuzzer spends its time on records); an odd one writes the rest as it is.
/// Opening may refuse the file (InvalidDataException: not a log, or damaged before whole records);
/// nothing else may escape. When it opens: its count and last seq agree, the file was cut to
/// exactly what it kept, every message in it can be read back for its sender, a second open keeps
/// it all and cuts nothing more, and a message appended then is there after a third.
/// </summary>
internal sealed class MessageLogTarget : FuzzTarget
{
    private static readonly byte[] Magic = "OCMSGLG1"u8.ToArray();

    // Load reads through one 1 MiB buffer (plus a window of two records while it looks for whole
    // records after damage); the index (messages.index) keeps its tails and list headers, about
    // 64 bytes a record of at least 50 bytes at worst, and writes a checkpoint of them (a buffer
    // of the same size, a file stream) after reading the log.
    private static readonly AllocationBudget Budget = new("MessageLog recovery", 1024 * 1024 + 256 * 1024, 16);

    private readonly Lazy<string> _folder = new(() => ScratchFolder.Create("msglog"));

    public override string Name => "msglog";
    public override string Description => "MessageLog recovery of a messages.log of fuzzed bytes (torn tails, damage, bad records)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        string folder = _folder.Value;
        string path = Path.Combine(folder, MessageLog.FileName);
        ScratchFolder.Empty(folder);
        byte[] file = (input[0] & 1) == 0 ? [.. Magic, .. input[1..]] : input[1..].ToArray();
        File.WriteAllBytes(path, file);

        MessageLog log;
        long start = Budget.Start();
        try
        {
            log = new MessageLog(folder);
        }
        catch (InvalidDataException)
        {
            // Refused: not a log, or damaged in the middle. The file must be as it was.
            Check.That(File.ReadAllBytes(path).AsSpan().SequenceEqual(file), "a refused log was changed");
            return;
        }
        Budget.Stop(start, file.Length);

        long count;
        ulong lastSeq;
        using (log)
        {
            count = log.Count;
            lastSeq = log.LastSeq;
            Check.That(count == (long)lastSeq, $"{count} messages but the last seq is {lastSeq}");
            Check.That(new FileInfo(path).Length == log.FileBytes, $"the file has {new FileInfo(path).Length} bytes, the log kept {log.FileBytes}");
            CheckEveryMessageReads(log, File.ReadAllBytes(path));
        }

        long length = new FileInfo(path).Length;
        using (var again = new MessageLog(folder))
        {
            Check.That(again.Count == count && again.LastSeq == lastSeq && new FileInfo(path).Length == length, "a second open of a recovered log changed it");
            again.Append(123456, 654321, new byte[16], "after recovery"u8, 1_700_000_000_000);
            again.Commit(flushToDisk: false);
        }
        using (var third = new MessageLog(folder))
        {
            Check.That(third.Count == count + 1 && third.LastSeq == lastSeq + 1, "a message appended after recovery is not there after a reopen");
        }
    }

    /// <summary>Every record in the kept part of the file, read back through the index of its sender.</summary>
    private static void CheckEveryMessageReads(MessageLog log, byte[] file)
    {
        var senders = new HashSet<int>();
        int offset = Magic.Length;
        while (offset < file.Length)
        {
            Check.That(MessageRecord.TryRead(file.AsSpan(offset), out var record, out int size), $"the kept part of the file has a bad record at offset {offset}");
            senders.Add(record.From);
            offset += size;
        }
        long seen = 0;
        foreach (int sender in senders)
        {
            var sink = new CountingSink();
            log.ReadForUser(sender, 0, ref sink);
            seen += sink.Sent;
        }
        Check.That(seen >= log.Count, $"{log.Count} messages, {seen} read back for their senders");
    }

    private struct CountingSink : IMessageSink
    {
        public int Sent;

        public bool Accept(in MessageRecord message)
        {
            Sent++;
            return true;
        }
    }

    public override IEnumerable<(string, byte[])> Seeds()
    {
        // A small valid log (3 messages between two users), one with a torn tail, and the raw form.
        byte[] log = Records(3);
        yield return ("three-messages", [0, .. log]);
        yield return ("torn-tail", [0, .. log, .. Records(4).AsSpan(log.Length, 20)]);
        yield return ("raw-with-magic", [1, .. Magic, .. log]);
        yield return ("empty", [0]);
    }

    private static byte[] Records(int count)
    {
        var bytes = new List<byte>();
        for (int i = 1; i <= count; i++)
        {
            byte[] text = System.Text.Encoding.UTF8.GetBytes($"message {i}");
            byte[] id = new byte[16];
            BinaryPrimitives.WriteInt32BigEndian(id, i);
            var record = new MessageRecord((ulong)i, 1_700_000_000_000 + i, i % 2 == 0 ? 123456 : 654321, i % 2 == 0 ? 654321 : 123456, id, text);
            byte[] buffer = new byte[record.Size];
            record.WriteTo(buffer);
            bytes.AddRange(buffer);
        }
        return [.. bytes];
    }
}
