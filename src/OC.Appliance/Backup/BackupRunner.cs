using System.Diagnostics;
using System.Security.Cryptography;
using OC.Appliance.Admin;
using OC.Appliance.Security;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;

namespace OC.Appliance.Backup;

/// <summary>What a backup wrote.</summary>
internal sealed record BackupResult(string Archive, long ArchiveBytes, long DataBytes, TimeSpan Elapsed, BackupManifest Manifest);

/// <summary>
/// <c>oc-appliance backup</c> (docs/architecture.md, "Backups"): lists the complete files, takes the
/// snapshot points (through the running appliance, or itself with the folder locked), then streams
/// the database copy, the log up to its point, the TLS files and the files into the archive, with
/// no help from the appliance: its loop and workers are busy only for the snapshot points.
/// </summary>
internal static class BackupRunner
{
    public static async Task<BackupResult> RunAsync(string dataDirectory, string archivePath, bool excludeTlsKey, ProgressBar progress, CancellationToken cancellationToken)
    {
        string folder = Path.GetFullPath(dataDirectory);
        string target = Path.GetFullPath(archivePath);
        if (File.Exists(target) || Directory.Exists(target)) throw new AdminException($"{target} exists already: name a new file");
        string targetFolder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(targetFolder)) throw new AdminException($"there is no folder {targetFolder} to write the backup into");
        var watch = Stopwatch.StartNew();

        // Before the snapshot points: every file listed is older than them, so its sender and
        // recipient are in the database's copy (a file completed later waits for the next backup).
        var files = StoredFiles.ListComplete(folder, out int partial);
        await using var snapshot = await BackupSnapshot.TakeAsync(folder, cancellationToken).ConfigureAwait(false);

        byte[]? certificate = ReadIfPresent(Path.Combine(folder, TlsIdentity.CertificateFileName));
        byte[]? key = excludeTlsKey ? null : ReadIfPresent(Path.Combine(folder, TlsIdentity.KeyFileName));
        long total = snapshot.Database.Bytes + snapshot.Messages.Bytes + (certificate?.Length ?? 0) + (key?.Length ?? 0)
            + files.Sum(f => f.Size + f.Meta.Length);
        progress.Total = total;

        string temporary = Path.Combine(targetFolder, $".{Path.GetFileName(target)}.partial-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        try
        {
            long archiveBytes;
            BackupManifest manifest;
            using (var archive = new ArchiveWriter(temporary, progress))
            {
                archive.Add(StorageWorker.DataFileName, OpenRead(snapshot.DatabaseCopyPath), snapshot.Database.Bytes);
                // Up to the committed point only: the appliance appends behind it meanwhile.
                archive.Add(MessageLog.FileName, OpenRead(Path.Combine(folder, MessageLog.FileName)), snapshot.Messages.Bytes);
                if (RetainedPart(folder, snapshot.Messages) is { } retention)
                    archive.Add(MessageLog.RetentionFileName, new MemoryStream(retention, writable: false), retention.Length);
                if (certificate is not null) archive.Add(TlsIdentity.CertificateFileName, new MemoryStream(certificate, writable: false), certificate.Length);
                if (key is not null) archive.Add(TlsIdentity.KeyFileName, new MemoryStream(key, writable: false), key.Length);
                foreach (var file in files)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    archive.Add($"{StoredFiles.FolderName}/{file.IdText}.meta", new MemoryStream(file.Meta, writable: false), file.Meta.Length);
                    archive.Add($"{StoredFiles.FolderName}/{file.IdText}", OpenRead(Path.Combine(folder, StoredFiles.FolderName, file.IdText)), file.Size);
                }
                manifest = new BackupManifest
                {
                    ApplianceId = snapshot.ApplianceId,
                    Created = DateTimeOffset.UtcNow,
                    Software = $"oc-appliance {ApplianceVersion.Text}",
                    Source = snapshot.Source,
                    Users = snapshot.Database.Users,
                    Friendships = snapshot.Database.Friendships,
                    Messages = snapshot.Messages.Messages,
                    LastSeq = snapshot.Messages.LastSeq,
                    Files = files.Count,
                    PartialUploadsLeftOut = partial,
                    TlsKeyIncluded = key is not null,
                    Members = archive.Members,
                };
                archiveBytes = archive.Finish(manifest);
            }
            File.Move(temporary, target);
            DirectorySync.Flush(targetFolder);
            progress.Finish();
            return new BackupResult(target, archiveBytes, total, watch.Elapsed, manifest);
        }
        catch
        {
            progress.Clear();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// messages.retention for the archived log (null without retention), read after the log was:
    /// retention may have erased more of it meanwhile, but it records that before it erases, so
    /// this point is at or after every erased byte the archive holds. Erased to the magic, so the
    /// restored appliance punches the restored zeros out again at its first start.
    /// </summary>
    private static byte[]? RetainedPart(string folder, MessagesPoint snapshot)
    {
        if (MessageLog.ReadRetentionFile(folder) is not var (kept, rooms)) return null;
        // Every archived message expired while the backup ran: the point and the rooms as they
        // were at the snapshot's end are not known any more (a rare race: a new backup has them).
        if (kept.Offset > snapshot.Bytes)
            throw new AdminException("every message of the snapshot expired (--retention) while the backup ran; run the backup again");
        return MessageLog.EncodeRetention(kept with { ErasedTo = MessageLog.MagicLength }, rooms);
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);

    private static byte[]? ReadIfPresent(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;
}
