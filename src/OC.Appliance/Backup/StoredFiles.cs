using OC.Appliance.Storage.Files;
using FileState = OC.Protocol.Messages.FileState;

namespace OC.Appliance.Backup;

/// <summary>A complete stored file for the backup: its sidecar as read, and its size.</summary>
internal sealed record StoredFile(string IdText, long Size, byte[] Meta);

/// <summary>
/// The complete files of a data folder, read from disk beside the running appliance (read only).
/// A complete file is immutable (renamed into place once its SHA-256 matched, never written again,
/// and only partial or rejected uploads are ever deleted); its sidecar is replaced atomically, so
/// reading it gives the old or the new one, never a torn one. Partial uploads are left out: after a
/// restore their senders offer them again and they start from the beginning.
/// </summary>
internal static class StoredFiles
{
    internal const string FolderName = "files";

    /// <summary>Lists the complete files; <paramref name="partial"/> counts the uploads left out.</summary>
    public static List<StoredFile> ListComplete(string dataFolder, out int partial)
    {
        partial = 0;
        var found = new List<StoredFile>();
        string folder = Path.Combine(dataFolder, FolderName);
        if (!Directory.Exists(folder)) return found;
        foreach (string metaPath in Directory.EnumerateFiles(folder, "*.meta"))
        {
            byte[] meta;
            try
            {
                meta = File.ReadAllBytes(metaPath);
            }
            catch (FileNotFoundException)
            {
                continue; // a partial upload swept meanwhile
            }
            using var stream = new MemoryStream(meta, writable: false);
            var record = FileRecord.TryRead(stream);
            if (record is null || record.IdText + ".meta" != Path.GetFileName(metaPath)) continue;
            if (record.State != FileState.Complete)
            {
                if (record.State == FileState.Uploading) partial++;
                continue;
            }
            var data = new FileInfo(Path.Combine(folder, record.IdText));
            // The appliance drops such a record at its next start (files.missing); so does the backup.
            if (!data.Exists || data.Length != record.Size) continue;
            found.Add(new StoredFile(record.IdText, record.Size, meta));
        }
        // The archive lists them in a stable order.
        found.Sort((a, b) => string.CompareOrdinal(a.IdText, b.IdText));
        return found;
    }
}
