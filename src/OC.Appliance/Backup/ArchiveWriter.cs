using System.Formats.Tar;
using System.IO.Compression;
using OC.Appliance.Storage;

namespace OC.Appliance.Backup;

/// <summary>
/// Writes the backup archive: a gzip-compressed tar (pax) of the members in the order added, each
/// hashed on the way (<see cref="MemberStream"/>), then <c>manifest.json</c> with those hashes.
/// The file is created 0600: it holds password verifiers and, unless left out, the TLS key.
/// </summary>
internal sealed class ArchiveWriter : IDisposable
{
    private const UnixFileMode MemberMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly FileStream _file;
    private readonly GZipStream _gzip;
    private readonly TarWriter _tar;
    private readonly ProgressBar _progress;
    private bool _finished;

    public ArchiveWriter(string path, ProgressBar progress)
    {
        _progress = progress;
        _file = PrivateFiles.Open(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1024 * 1024);
        // Fastest: a Raspberry Pi compresses at disk speed; message logs still shrink several times,
        // and photos do not shrink at any level.
        _gzip = new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true);
        _tar = new TarWriter(_gzip, TarEntryFormat.Pax, leaveOpen: true);
    }

    public List<BackupMember> Members { get; } = [];

    /// <summary>Adds <paramref name="length"/> bytes of <paramref name="source"/> (which this disposes) as <paramref name="name"/>.</summary>
    public void Add(string name, Stream source, long length)
    {
        using var member = new MemberStream(source, length, _progress);
        _tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = member, Mode = MemberMode });
        if (member.Position != length) throw new IOException($"{name}: {member.Position} of {length} bytes were archived");
        Members.Add(new BackupMember(name, length, member.Sha256Hex()));
    }

    /// <summary>Writes the manifest last, ends the archive and flushes it to disk; returns its size.</summary>
    public long Finish(BackupManifest manifest)
    {
        using (var json = new MemoryStream(manifest.ToJson(), writable: false))
            _tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, BackupManifest.FileName) { DataStream = json, Mode = MemberMode });
        _tar.Dispose();
        _gzip.Dispose();
        _file.Flush(flushToDisk: true);
        _finished = true;
        return _file.Length;
    }

    public void Dispose()
    {
        if (!_finished)
        {
            // A failed backup: the file is deleted; ending the tar would only write more.
            _gzip.Dispose();
        }
        _file.Dispose();
    }
}
