using OC.Appliance.Diagnostics;

namespace OC.Appliance.Storage;

/// <summary>
/// Makes a LiteDB commit durable by fsyncing its write-ahead log.
/// </summary>
/// <remarks>
/// What LiteDB 5.0.21 does with its files (read in its source: DiskService, FileStreamFactory,
/// FileHelper, WalIndexService, LiteEngine.Close; confirmed with strace):
/// <list type="bullet">
/// <item>Next to the data file "oc.db" lives the log "oc-log.db" (FileHelper.GetLogFile: name
/// + "-log" + extension). The log is created (O_CREAT) by the first commit after an open,
/// truncated to zero (not deleted) by every checkpoint, and deleted on close when empty.
/// A sort may also create "oc-tmp.db"; it holds nothing durable.</item>
/// <item>A commit appends the transaction's 8 KiB pages to the log with one pwrite each, the
/// last page flagged "confirmed", straight from LiteDB's FileStream (a full-page write bypasses
/// its buffer, so nothing is left in user space), and returns without any fsync: the pages sit
/// in the OS page cache and a power cut loses them.</item>
/// <item>Only a checkpoint fsyncs, and only the data file, after copying the confirmed log pages
/// into it. It runs after a commit once the log exceeds 1000 pages, and on close. Commits never
/// write the data file otherwise, so the log is the one file to flush after a commit.</item>
/// <item>LiteDB's writer handles use FileShare.Read. .NET on Unix maps FileShare to an advisory
/// flock: LOCK_EX only for FileShare.None, LOCK_SH for anything else. So our own handle with
/// FileShare.ReadWrite gets a shared lock next to LiteDB's, and fsync on it flushes the file's
/// dirty pages whichever descriptor wrote them. FileStream.Flush(true) fsyncs only a handle
/// opened for writing, hence FileAccess.Write; we never write through it.</item>
/// <item>LiteDB never fsyncs a directory, so a newly created log (or data file) might not
/// exist after a crash even though its contents were fsynced: <see cref="DirectorySync"/>.</item>
/// </list>
/// On Windows the share mode is enforced (LiteDB's FileShare.Read refuses a second writer) and
/// FlushFileBuffers needs write access, so there is no way in from outside; flushing is skipped
/// there, and commits become durable at the next checkpoint only. The appliance runs on Linux.
/// Used only on the storage thread.
/// </remarks>
internal sealed class LogFileSync : IDisposable
{
    private readonly string _logPath;
    private readonly string _directory;
    private FileStream? _log;

    internal LogFileSync(string dataPath)
    {
        _logPath = LogPathFor(dataPath);
        _directory = Path.GetDirectoryName(_logPath) ?? ".";
        if (OperatingSystem.IsWindows())
            Log.Warn("storage.flush", "Windows: LiteDB's log cannot be flushed from a second handle; commits are durable only after a checkpoint");
    }

    internal string LogPath => _logPath;

    /// <summary>The log file LiteDB uses for <paramref name="dataPath"/> (FileHelper.GetLogFile).</summary>
    internal static string LogPathFor(string dataPath) =>
        Path.Combine(Path.GetDirectoryName(dataPath) ?? "", Path.GetFileNameWithoutExtension(dataPath) + "-log" + Path.GetExtension(dataPath));

    /// <summary>Fsyncs the log; call after each commit. Throws IOException if that fails.</summary>
    internal void Flush()
    {
        if (OperatingSystem.IsWindows()) return;

        if (_log is not null)
        {
            _log.Flush(flushToDisk: true);
            return;
        }

        try
        {
            _log = new FileStream(_logPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return; // nothing was written since the database was opened
        }
        // LiteDB created it with the process's umask (see PrivateFiles).
        PrivateFiles.Restrict(_log.SafeFileHandle);
        _log.Flush(flushToDisk: true);
        // First flush since open: the log may have just been created, and its name must be as
        // durable as its pages. Later flushes reuse the handle; only LiteDB's close deletes the
        // file, and Close() is called before that.
        DirectorySync.Flush(_directory);
    }

    /// <summary>Releases our handle (and its shared lock). Call before LiteDB closes or reopens.</summary>
    internal void Close()
    {
        _log?.Dispose();
        _log = null;
    }

    public void Dispose() => Close();
}
