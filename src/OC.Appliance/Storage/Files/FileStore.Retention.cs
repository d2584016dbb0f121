using OC.Appliance.Diagnostics;
using FileState = OC.Protocol.Messages.FileState;

namespace OC.Appliance.Storage.Files;

/// <summary>--retention for files: the same policy as for messages, on the file worker that owns them.</summary>
internal sealed partial class FileStore
{
    /// <summary>
    /// Deletes the files older than <see cref="FileLimits.Retention"/> (data, partial data and
    /// sidecar), which frees their sender's quota; returns how many. A complete file's age is from
    /// its offer (the time clients show for it), a partial upload's from its last write: an upload
    /// still going is not cut off for having started long ago. A download in progress then ends
    /// with an error (the file is gone), as for any deleted file.
    /// </summary>
    public int Expire(long nowMs)
    {
        if (_limits.Retention is not { } retention) return 0;
        long cutoff = nowMs - (long)retention.TotalMilliseconds;
        var old = _files.Values.Where(f => (f.State == FileState.Complete ? f.CreatedMs : f.TouchedMs) < cutoff).ToList();
        if (old.Count == 0) return 0;
        long bytes = 0;
        foreach (var f in old)
        {
            Close(f);
            Delete(f);
            if (f.State == FileState.Complete)
            {
                Counters.RemoveFile(f.Size);
                bytes += f.Size;
            }
        }
        Log.Info("files.retention", $"deleted {old.Count} files ({bytes} bytes) older than {DateTimeOffset.FromUnixTimeMilliseconds(cutoff):u}");
        return old.Count;
    }
}
