using OC.Appliance.Storage.Files;

namespace OC.Fuzz.Targets;

/// <summary>
/// The file store's sidecar (files/&lt;id&gt;.meta): FileRecord.TryRead on the input, then the
/// input as the one sidecar of a scratch data folder opened by a FileStore, as at the appliance's
/// start. Checks: TryRead returns a record or null and throws nothing; a record it returns, written
/// again, reads again as the same bytes; and a sidecar that is damaged or makes no sense is
/// ignored or dropped by FileStore, never an exception that would stop the appliance from starting.
/// </summary>
internal sealed class SidecarTarget : FuzzTarget
{
    // BinaryReader's buffers (a few hundred bytes), the name (2 bytes a byte of UTF-8) and two arrays;
    // a damaged sidecar is refused by an exception that TryRead catches, and an exception costs 3 to
    // 11 KB whatever the input (its stack trace; more the first time in a process, not always the
    // same: 1 run in 40 of the same input measured 10.6 KB). 16 KiB fixed covers that.
    private static readonly AllocationBudget Budget = new("FileRecord.TryRead", 16 * 1024, 8);

    private readonly Lazy<string> _folder = new(() => ScratchFolder.Create("sidecar"));

    public override string Name => "sidecar";
    public override string Description => "FileRecord.TryRead and FileStore's start on a sidecar (.meta) of fuzzed bytes";

    public override void Run(ReadOnlySpan<byte> input)
    {
        byte[] bytes = input.ToArray();
        long start = Budget.Start();
        FileRecord? record;
        using (var stream = new MemoryStream(bytes, writable: false)) record = FileRecord.TryRead(stream);
        Budget.Stop(start, bytes.Length);

        if (record is not null)
        {
            byte[] written = Write(record);
            using var stream = new MemoryStream(written, writable: false);
            var again = FileRecord.TryRead(stream);
            Check.That(again is not null && Write(again).AsSpan().SequenceEqual(written), "a sidecar written again does not read back the same");
        }

        string folder = _folder.Value;
        string files = Path.Combine(folder, "files");
        Directory.CreateDirectory(files);
        ScratchFolder.Empty(folder);
        File.WriteAllBytes(Path.Combine(files, "0102030405060708.meta"), bytes);
        using var store = new FileStore(folder, new FileLimits { FlushToDisk = false, MinFreeBytes = 0 });
        Check.That(store.Count <= 1, $"one sidecar, {store.Count} files");
    }

    private static byte[] Write(FileRecord record)
    {
        using var stream = new MemoryStream();
        record.WriteTo(stream);
        return stream.ToArray();
    }

    public override IEnumerable<(string, byte[])> Seeds()
    {
        byte[] sha = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))];
        FileRecord[] records =
        [
            new() { Id = 0x0102030405060708, From = 123456, To = 654321, Name = "report.pdf", Size = 1_000_000, Sha256 = sha, CreatedMs = 1_700_000_000_000, State = OC.Protocol.Messages.FileState.Uploading, Confirmed = 262_144, TouchedMs = 1_700_000_000_500 },
            new() { Id = 0x0102030405060708, From = 123456, To = 654321, Name = "photo.jpg", Size = 5, Sha256 = sha, CreatedMs = 1_700_000_000_000, State = OC.Protocol.Messages.FileState.Complete, Confirmed = 5, Fetched = true },
            new() { Id = 0x0102030405060708, From = 123456, To = 654321, Name = "é.txt", Size = 10, Sha256 = new byte[32], HashAtEnd = true, Key = sha, CreatedMs = 1, State = OC.Protocol.Messages.FileState.Uploading },
            new() { Id = 0x0102030405060708, From = 123456, To = 0, Room = 234567, Name = "minutes.pdf", Size = 10, Sha256 = sha, CreatedMs = 1, State = OC.Protocol.Messages.FileState.Complete, Confirmed = 10 },
        ];
        for (int i = 0; i < records.Length; i++) yield return ($"sidecar-{i}", Write(records[i]));
        // Sidecars of older versions: without the FILE_SEAL fields and the room, and without the room.
        yield return ("sidecar-before-seal", Write(records[0])[..^37]);
        yield return ("sidecar-before-rooms", Write(records[2])[..^4]);
    }
}
