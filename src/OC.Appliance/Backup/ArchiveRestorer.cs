using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using OC.Appliance.Admin;
using OC.Appliance.Storage;

namespace OC.Appliance.Backup;

/// <summary>An archive that is not a whole, undamaged OC backup; nothing was restored.</summary>
internal sealed class DamagedArchiveException : Exception
{
    public DamagedArchiveException() { }
    public DamagedArchiveException(string message) : base(message) { }
    public DamagedArchiveException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// <c>oc-appliance restore</c>: unpacks a backup into a new or empty folder, files 0600 and folders
/// 0700 as the appliance makes them, checks every member against the manifest's size and SHA-256,
/// and only then moves them into place. Everything is unpacked into <c>.restore-incomplete</c>
/// inside the target first, so a damaged archive leaves nothing behind and an interrupted restore
/// leaves no half data folder that an appliance would start on.
/// </summary>
internal static partial class ArchiveRestorer
{
    internal const string StagingName = ".restore-incomplete";

    // What a backup holds; anything else is not ours, and no name may climb out of the folder.
    [GeneratedRegex(@"^(oc\.db|messages\.log|messages\.retention|tls-cert\.pem|tls-key\.pem|files/[0-9a-f]{16}(\.meta)?)$")]
    private static partial Regex MemberName();

    public static BackupManifest Restore(string archivePath, string dataDirectory, ProgressBar progress)
    {
        string archive = Path.GetFullPath(archivePath);
        string target = Path.GetFullPath(dataDirectory);
        if (!File.Exists(archive)) throw new AdminException($"no backup file {archive}");
        if (File.Exists(target)) throw new AdminException($"{target} is a file; name a new or empty folder to restore into");
        bool created = !Directory.Exists(target);
        if (!created && Directory.EnumerateFileSystemEntries(target).Any())
            throw new AdminException($"{target} is not empty: restore only into a new or empty folder (the restored appliance is started there with --data)");

        PrivateFiles.EnsureDataFolder(target);
        string staging = Path.Combine(target, StagingName);
        try
        {
            CreatePrivateFolder(staging);
            var found = Unpack(archive, staging, progress, out byte[]? manifestBytes);
            var manifest = Verify(found, manifestBytes);
            foreach (string name in Directory.EnumerateFileSystemEntries(staging))
            {
                string destination = Path.Combine(target, Path.GetFileName(name));
                if (Directory.Exists(name)) Directory.Move(name, destination);
                else File.Move(name, destination);
            }
            Directory.Delete(staging);
            DirectorySync.Flush(target);
            if (created && Path.GetDirectoryName(target) is { } parent) DirectorySync.Flush(parent);
            progress.Finish();
            return manifest;
        }
        catch
        {
            progress.Clear();
            // The folder was new or empty: put it back as it was.
            if (created) Directory.Delete(target, recursive: true);
            else
                foreach (string name in Directory.EnumerateFileSystemEntries(target))
                    if (Directory.Exists(name)) Directory.Delete(name, recursive: true);
                    else File.Delete(name);
            throw;
        }
    }

    /// <summary>Writes every member into <paramref name="staging"/>; returns each one's size and SHA-256.</summary>
    private static Dictionary<string, BackupMember> Unpack(string archive, string staging, ProgressBar progress, out byte[]? manifest)
    {
        manifest = null;
        var found = new Dictionary<string, BackupMember>(StringComparer.Ordinal);
        using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1024 * 1024);
        progress.Total = file.Length;
        var buffer = new byte[1024 * 1024];
        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            using var tar = new TarReader(gzip, leaveOpen: true);
            while (tar.GetNextEntry() is { } entry)
            {
                if (manifest is not null) throw new DamagedArchiveException($"'{entry.Name}' follows the manifest, which comes last");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new DamagedArchiveException($"'{entry.Name}' is a {entry.EntryType}, not a file: this is not an OC backup");
                if (entry.Name == BackupManifest.FileName)
                {
                    if (entry.Length > BackupManifest.MaxBytes) throw new DamagedArchiveException("its manifest is too large");
                    using var json = new MemoryStream();
                    entry.DataStream?.CopyTo(json);
                    manifest = json.ToArray();
                    continue;
                }
                if (!MemberName().IsMatch(entry.Name)) throw new DamagedArchiveException($"'{entry.Name}' is no part of an OC backup");
                if (found.ContainsKey(entry.Name)) throw new DamagedArchiveException($"'{entry.Name}' is in it twice");

                string path = Path.Combine(staging, entry.Name);
                if (Path.GetDirectoryName(path) is { } parent && !Directory.Exists(parent)) CreatePrivateFolder(parent);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long size = 0;
                using (var output = PrivateFiles.Open(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                {
                    if (entry.DataStream is { } data)
                    {
                        int n;
                        while ((n = data.Read(buffer)) > 0)
                        {
                            hash.AppendData(buffer, 0, n);
                            output.Write(buffer, 0, n);
                            size += n;
                            progress.Set(file.Position);
                        }
                    }
                    output.Flush(flushToDisk: true);
                }
                found[entry.Name] = new BackupMember(entry.Name, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
            }
        }
        catch (EndOfStreamException e)
        {
            throw new DamagedArchiveException("it ends too early (cut short?)", e);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException)
        {
            // From gzip (not gzip at all, or damaged: "unsupported compression method") or the tar headers.
            throw new DamagedArchiveException($"its data cannot be read ({e.Message.TrimEnd('.')})", e);
        }
        return found;
    }

    /// <summary>The manifest, if every member it names is there with its size and hash, and nothing else.</summary>
    private static BackupManifest Verify(Dictionary<string, BackupMember> found, byte[]? manifestBytes)
    {
        if (manifestBytes is null)
            throw new DamagedArchiveException(found.Count == 0 ? "it holds no OC backup" : "it ends before its manifest (cut short?)");
        var manifest = BackupManifest.TryParse(manifestBytes, out int format);
        if (manifest is null)
        {
            throw format > BackupManifest.CurrentFormat
                ? new DamagedArchiveException($"it is of backup format {format}, newer than this oc-appliance reads ({BackupManifest.CurrentFormat}): restore it with a newer one")
                : new DamagedArchiveException("its manifest cannot be read");
        }
        foreach (var expected in manifest.Members)
        {
            if (!found.Remove(expected.Name, out var actual)) throw new DamagedArchiveException($"'{expected.Name}' is missing");
            if (actual.Size != expected.Size || actual.Sha256 != expected.Sha256)
                throw new DamagedArchiveException($"'{expected.Name}' does not match its SHA-256 in the manifest");
        }
        if (found.Count > 0) throw new DamagedArchiveException($"'{found.Keys.First()}' is not in the manifest");
        if (!manifest.Members.Exists(m => m.Name == StorageWorker.DataFileName)) throw new DamagedArchiveException("it holds no database");
        return manifest;
    }

    private static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, PrivateFiles.FolderMode);
    }
}
