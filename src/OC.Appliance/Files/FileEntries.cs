using System.Buffers;
using OC.Appliance.Storage.Files;
using OC.Protocol;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>How a stored file is described on the wire (FILE_ENTRIES, FILE_RECEIVED): the store keeps records, the handlers speak entries.</summary>
internal static class FileEntries
{
    public static FileEntry ToEntry(this FileRecord f) =>
        new(f.Id, (uint)f.From, (uint)f.To, f.Name, (ulong)f.Size, (ulong)f.Confirmed, f.Sha256, f.CreatedMs, f.State, (uint)f.Room);

    public static List<FileEntry> ToEntries(this List<FileRecord> records) => records.ConvertAll(ToEntry);

    /// <summary>Null when the name is acceptable as metadata; it is never used as a path.</summary>
    public static string? NameProblem(string name)
    {
        if (name.Length == 0) return "the file name is empty";
        int bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        if (bytes > ProtocolLimits.MaxFileNameBytes) return $"the file name is {bytes} bytes of UTF-8; the most is {ProtocolLimits.MaxFileNameBytes}";
        foreach (char c in name)
        {
            if (char.IsControl(c)) return "the file name contains a control character";
        }
        return null;
    }
}

/// <summary>
/// The buffers of chunks on their way between the loop and the file worker. Not ArrayPool.Shared:
/// it keeps only a few dozen arrays of a size, and an upload has its whole credit (8 MiB: 32
/// chunks of 256 KiB) in flight, so most rents missed it and allocated on the large-object heap.
/// </summary>
internal static class ChunkBuffers
{
    public static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 1024 * 1024, maxArraysPerBucket: 256);
}
