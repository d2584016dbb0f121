using System.Text;
using OC.Protocol.Messages;

namespace OC.Appliance.Files;

/// <summary>
/// One file's metadata, as kept in its sidecar <c>&lt;data&gt;/files/&lt;id&gt;.meta</c>. File worker only.
/// </summary>
/// <remarks>
/// Sidecar layout (little-endian, BinaryWriter): "OCF1", u64 id, i32 from, i32 to, string name,
/// i64 size, 32 bytes sha256, i64 createdMs, u8 state, i64 confirmed, i64 touchedMs, u8 fetched.
/// It is replaced atomically (write .tmp, fsync, rename, fsync the folder), so after a crash it
/// holds either the old or the new confirmed offset, never a torn one.
/// </remarks>
internal sealed class FileRecord
{
    private static readonly byte[] s_magic = "OCF1"u8.ToArray();

    public ulong Id { get; init; }
    public int From { get; init; }
    public int To { get; init; }
    public string Name { get; init; } = "";
    public long Size { get; init; }
    public byte[] Sha256 { get; init; } = [];
    public long CreatedMs { get; init; }
    public FileState State { get; set; }

    /// <summary>Bytes of the .part that are flushed to disk and recorded here.</summary>
    public long Confirmed { get; set; }

    /// <summary>Last time an upload wrote to it (the partial-upload sweep looks at this).</summary>
    public long TouchedMs { get; set; }

    /// <summary>The recipient downloaded it to the end: no more FILE_RECEIVED notices at login.</summary>
    public bool Fetched { get; set; }

    public string IdText => Id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public FileEntry ToEntry() =>
        new(Id, (uint)From, (uint)To, Name, (ulong)Size, (ulong)Confirmed, Sha256, CreatedMs, State);

    public void WriteTo(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(s_magic);
        w.Write(Id);
        w.Write(From);
        w.Write(To);
        w.Write(Name);
        w.Write(Size);
        w.Write(Sha256);
        w.Write(CreatedMs);
        w.Write((byte)State);
        w.Write(Confirmed);
        w.Write(TouchedMs);
        w.Write(Fetched);
    }

    /// <summary>Null when the sidecar is not one of ours or is cut short.</summary>
    public static FileRecord? TryRead(Stream stream)
    {
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(4).AsSpan().SequenceEqual(s_magic)) return null;
            return new FileRecord
            {
                Id = r.ReadUInt64(),
                From = r.ReadInt32(),
                To = r.ReadInt32(),
                Name = r.ReadString(),
                Size = r.ReadInt64(),
                Sha256 = r.ReadBytes(32),
                CreatedMs = r.ReadInt64(),
                State = (FileState)r.ReadByte(),
                Confirmed = r.ReadInt64(),
                TouchedMs = r.ReadInt64(),
                Fetched = r.ReadBoolean(),
            };
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }
}
