using System.Security.Cryptography;
using OC.Appliance.Diagnostics;
using OC.Protocol.IO;
using FileState = OC.Protocol.Messages.FileState;

namespace OC.Appliance.Storage.Files;

/// <summary>The disk side: startup recovery, the .part, confirming offsets, verifying, the sweep.</summary>
internal sealed partial class FileStore
{
    /// <summary>
    /// Reads every sidecar. An upload's .part is cut back to its confirmed offset: bytes after it
    /// may not have reached the disk before a crash, and the hash is rebuilt from the prefix when
    /// the upload resumes.
    /// </summary>
    private void Load()
    {
        foreach (string tmp in Directory.EnumerateFiles(_folder, "*.tmp")) File.Delete(tmp);
        foreach (string meta in Directory.EnumerateFiles(_folder, "*.meta"))
        {
            FileRecord? f;
            using (var stream = File.OpenRead(meta)) f = FileRecord.TryRead(stream);
            if (f is null)
            {
                Log.Warn("files.bad_meta", $"{Path.GetFileName(meta)} cannot be read; ignored");
                continue;
            }
            if (f.State == FileState.Uploading && !File.Exists(PartPath(f)) && File.Exists(DataPath(f)) && new FileInfo(DataPath(f)).Length == f.Size)
            {
                // A crash between the rename (done only after the hash matched) and the sidecar.
                f.State = FileState.Complete;
                f.Confirmed = f.Size;
                SaveMeta(f);
            }
            else if (f.State == FileState.Uploading)
            {
                using var part = PrivateFiles.Open(PartPath(f), FileMode.OpenOrCreate, FileAccess.ReadWrite);
                if (part.Length < f.Confirmed)
                {
                    Log.Warn("files.part_short", $"{f.IdText}.part has {part.Length} bytes, {f.Confirmed} were confirmed; resuming from {part.Length}");
                    f.Confirmed = part.Length;
                }
                part.SetLength(f.Confirmed);
                part.Flush(flushToDisk: true);
            }
            else if (f.State == FileState.Complete && !File.Exists(DataPath(f)))
            {
                Log.Warn("files.missing", $"{f.IdText} is gone; dropped");
                File.Delete(meta);
                continue;
            }
            _files[f.Id] = f;
            if (f.State == FileState.Complete) Counters.AddFile(f.Size);
        }
        Log.Info("files.open", $"{_files.Count} files in {_folder}");
    }

    /// <summary>The open .part of an upload; after a restart its hash is rebuilt by reading the confirmed prefix.</summary>
    private Upload OpenUpload(FileRecord f)
    {
        if (_open.TryGetValue(f.Id, out var upload)) return upload;
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            long prefix = 0;
            using (var stream = PrivateFiles.Open(PartPath(f), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.SequentialScan))
            {
                if (stream.Length > f.Confirmed) stream.SetLength(f.Confirmed);
                var buffer = new byte[1024 * 1024];
                int n;
                while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    prefix += n;
                }
            }
            f.Confirmed = prefix;
            // O_DIRECT where the file system takes it (see FileAppender). The .part exists by
            // now, created 0600 above: FileAppender.Open only opens it.
            upload = new Upload(FileAppender.Open(PartPath(f), prefix, allowDirect: true), hash);
        }
        catch
        {
            hash.Dispose();
            throw;
        }
        _open.Add(f.Id, upload);
        return upload;
    }

    /// <summary>Flush the data (fdatasync), then record the offset durably: the sidecar never claims bytes the disk may lack.</summary>
    private void ConfirmWritten(FileRecord f, Upload upload, long nowMs)
    {
        upload.Writer.Flush(_limits.FlushToDisk);
        f.Confirmed = upload.Written;
        f.TouchedMs = nowMs;
        SaveMeta(f);
    }

    private WriteOutcome Finish(FileRecord f, Upload upload)
    {
        var actual = upload.Hash.GetHashAndReset();
        upload.Writer.Flush(_limits.FlushToDisk);
        Close(f);
        if (!actual.AsSpan().SequenceEqual(f.Sha256))
        {
            Log.Info("files.rejected", $"{f.IdText}: SHA-256 mismatch; deleted");
            f.State = FileState.Rejected;
            Delete(f);
            return WriteOutcome.Rejected;
        }
        File.Move(PartPath(f), DataPath(f));
        f.State = FileState.Complete;
        f.Confirmed = f.Size;
        SaveMeta(f);
        Counters.AddFile(f.Size);
        return WriteOutcome.Complete;
    }

    /// <summary>Deletes partial uploads nobody wrote to for the partial TTL; returns how many.</summary>
    public int Sweep(long nowMs)
    {
        var old = _files.Values.Where(f => f.State == FileState.Uploading && nowMs - f.TouchedMs > _limits.PartialTtl.TotalMilliseconds).ToList();
        foreach (var f in old)
        {
            Log.Info("files.expired", $"{f.IdText}: partial upload untouched since {DateTimeOffset.FromUnixTimeMilliseconds(f.TouchedMs):u}; deleted");
            Close(f);
            Delete(f);
        }
        return old.Count;
    }

    /// <summary>Drops the open writer and hash of an upload, if any; the sidecar and .part stay.</summary>
    private void Close(FileRecord f)
    {
        _confirmDue.Remove(f.Id);
        if (_open.Remove(f.Id, out var upload)) upload.Dispose();
    }

    private void Delete(FileRecord f)
    {
        _files.Remove(f.Id);
        File.Delete(MetaPath(f));
        File.Delete(PartPath(f));
        File.Delete(DataPath(f));
        if (_limits.FlushToDisk) DirectorySync.Flush(_folder);
    }

    /// <summary>Replaces the sidecar atomically: .tmp, fsync, rename over, fsync the folder.</summary>
    private void SaveMeta(FileRecord f)
    {
        string path = MetaPath(f);
        string tmp = path + ".tmp";
        using (var stream = PrivateFiles.Open(tmp, FileMode.Create, FileAccess.Write))
        {
            f.WriteTo(stream);
            if (_limits.FlushToDisk) stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        if (_limits.FlushToDisk) DirectorySync.Flush(_folder);
    }
}
