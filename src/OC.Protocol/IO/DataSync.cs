using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OC.Protocol.IO;

/// <summary>
/// Flushing file data without the metadata a crash does not need. FileStream.Flush(true) is
/// fsync, which also writes the inode for a changed mtime (a journal commit on ext4 every time);
/// fdatasync skips that unless the size changed. sync_file_range(SYNC_FILE_RANGE_WRITE) starts
/// writing a range back without waiting, so by the time an upload confirms its offset most of
/// its bytes are on their way to the disk already and fdatasync waits only for the rest.
/// Linux only; elsewhere <see cref="Flush"/> is fsync and <see cref="StartWriteBack"/> does nothing.
/// </summary>
public static partial class DataSync
{
    private const uint SyncFileRangeWrite = 2;
    private const int FadvDontNeed = 4;

    /// <summary>fdatasync on Linux, fsync elsewhere. Throws IOException if it fails.</summary>
    public static void Flush(FileStream stream)
    {
        stream.Flush();
        Flush(stream.SafeFileHandle, stream.Name);
    }

    /// <summary>fdatasync on Linux, fsync elsewhere, of a handle with no buffer of its own.</summary>
    public static unsafe void Flush(SafeFileHandle handle, string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Interrupted.Retry(&Fdatasync, (int)handle.DangerousGetHandle()) < 0) throw Failure("fdatasync", name);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Asks the kernel to start writing [offset, offset + count) back; a hint, so errors are ignored (fdatasync reports them).</summary>
    public static void StartWriteBack(SafeFileHandle handle, long offset, long count)
    {
        if (!OperatingSystem.IsLinux()) return;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            _ = SyncFileRange((int)handle.DangerousGetHandle(), offset, count, SyncFileRangeWrite);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Tells the kernel the clean pages of [offset, offset + count) will not be needed again
    /// (posix_fadvise DONTNEED): a file streamed out once leaves the page cache to what is reused.
    /// A hint; Linux only.
    /// </summary>
    public static void DropCached(SafeFileHandle handle, long offset, long count)
    {
        if (!OperatingSystem.IsLinux()) return;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            _ = Fadvise((int)handle.DangerousGetHandle(), offset, count, FadvDontNeed);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private static IOException Failure(string call, string name)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}({name}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(int fd);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(int fd, long offset, long count, int advice);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);
}
