using System.Text;
using FileState = OC.Protocol.Messages.FileState;

namespace OC.Appliance.Storage.Files;

/// <summary>
/// One file's metadata, as kept in its sidecar <c>&lt;data&gt;/files/&lt;id&gt;.meta</c>. File worker only.
/// </summary>
/// <remarks>
/// Sidecar layout (little-endian, BinaryWriter): "OCF1", u64 id, i32 from, i32 to, string name,
/// i64 size, 32 bytes sha256, i64 createdMs, u8 state, i64 confirmed, i64 touchedMs, u8 fetched,
/// then (added with FILE_SEAL; a sidecar that ends before them is read with the defaults)
/// u8 hashAtEnd, 32 bytes key, then (added with room files; absent = 0) i32 room.
/// It is replaced atomically (write .tmp, fsync, rename, fsync the folder), so after a crash it
/// holds either the old or the new confirmed offset, never a torn one.
/// </remarks>
internal sealed class FileRecord
{
    private static readonly byte[] s_magic = "OCF1"u8.ToArray();

    public ulong Id { get; init; }
    public int From { get; init; }
    /// <summary>The recipient; 0 for a room file.</summary>
    public int To { get; init; }

    /// <summary>The room a room file was sent to (its members may read it); 0 for a file to one friend.</summary>
    public int Room { get; init; }
    public string Name { get; init; } = "";
    public long Size { get; init; }
    /// <summary>The content's SHA-256; all zeros while an upload offered with the hash at the end is not sealed.</summary>
    public byte[] Sha256 { get; set; } = [];

    /// <summary>Offered with the hash at the end (FILE_SEAL): <see cref="Key"/> recognises a resume.</summary>
    public bool HashAtEnd { get; init; }

    /// <summary>The client's key for an upload with the hash at the end (32 bytes; zeros otherwise).</summary>
    public byte[] Key { get; init; } = new byte[32];
    public long CreatedMs { get; init; }
    public FileState State { get; set; }

    /// <summary>Bytes of the .part that are flushed to disk and recorded here.</summary>
    public long Confirmed { get; set; }

    /// <summary>Last time an upload wrote to it (the partial-upload sweep looks at this).</summary>
    public long TouchedMs { get; set; }

    /// <summary>The recipient downloaded it to the end: no more FILE_RECEIVED notices at login.</summary>
    public bool Fetched { get; set; }

    public string IdText => Id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

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
        w.Write(HashAtEnd);
        w.Write(Key);
        w.Write(Room);
    }

    /// <summary>Null when the sidecar is not one of ours, is cut short or is damaged.</summary>
    public static FileRecord? TryRead(Stream stream)
    {
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(4).AsSpan().SequenceEqual(s_magic)) return null;
            ulong id = r.ReadUInt64();
            int from = r.ReadInt32(), to = r.ReadInt32();
            string name = r.ReadString();
            long size = r.ReadInt64();
            byte[] sha256 = r.ReadBytes(32);
            long createdMs = r.ReadInt64();
            var state = (FileState)r.ReadByte();
            long confirmed = r.ReadInt64(), touchedMs = r.ReadInt64();
            bool fetched = r.ReadBoolean();
            bool more = stream.Position < stream.Length;
            bool hashAtEnd = more && r.ReadBoolean();
            byte[] key = more ? r.ReadBytes(32) : new byte[32];
            int room = stream.Position < stream.Length ? r.ReadInt32() : 0;
            if (sha256.Length != 32 || key.Length != 32) return null;
            // Numbers no store writes are damage too: FileStore.Load cut a .part to a negative
            // "confirmed" length and threw (found by fuzzing).
            if (size < 0 || confirmed < 0 || confirmed > size || !Enum.IsDefined(state) || room < 0) return null;
            return new FileRecord
            {
                Id = id, From = from, To = to, Name = name, Size = size, Sha256 = sha256, CreatedMs = createdMs,
                State = state, Confirmed = confirmed, TouchedMs = touchedMs, Fetched = fetched, HashAtEnd = hashAtEnd, Key = key,
                Room = room,
            };
        }
        // Cut short (EndOfStreamException), a negative string length (IOException) or a length
        // prefix of more than five bytes (FormatException, found by fuzzing: docs/fuzzing.md): all
        // of them are a sidecar that is not ours to read, which must not stop the store opening.
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
    }
}
