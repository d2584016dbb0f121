using System.Runtime.InteropServices;
using OC.Appliance.Diagnostics;
using OC.Protocol.IO;

namespace OC.Appliance.Storage;

/// <summary>
/// fsync of a directory. Creating (or deleting) a file changes its directory, and on Linux
/// fsync of the file does not make that change durable (ext4 and xfs document this; see
/// fsync(2): "an explicit fsync() on a file descriptor for the directory is also needed").
/// .NET cannot open a directory as a FileStream, so this goes to libc.
/// </summary>
internal static partial class DirectorySync
{
    // Plain O_RDONLY opens a directory too. O_DIRECTORY only adds a check, and its value differs
    // between architectures (0x10000 on x86-64, 0x4000 on arm64, which the appliance runs on).
    private const int ORdOnly = 0;
    private const int EInval = 22;

    internal static unsafe void Flush(string directory)
    {
        // Other systems: Windows has no directory fsync (NTFS journals its metadata), and the
        // appliance only ships for Linux, so macOS and the BSDs are not worth the flag tables.
        if (!OperatingSystem.IsLinux()) return;

        int fd = Interrupted.Retry(&Open, directory, ORdOnly);
        if (fd < 0) throw Failure("open", directory);

        try
        {
            if (Interrupted.Retry(&Fsync, fd) < 0)
            {
                // EINVAL: the file system cannot sync directories (some FUSE and network file
                // systems); there is nothing more we can do there.
                if (Marshal.GetLastPInvokeError() == EInval)
                {
                    Log.Debug("storage.fsync", $"directory fsync not supported for {directory}");
                    return;
                }
                throw Failure("fsync", directory);
            }
        }
        finally
        {
            // Never retried: on Linux the descriptor is released even when close reports EINTR.
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string directory)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call}({directory}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
