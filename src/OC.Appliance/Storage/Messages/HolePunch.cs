using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using OC.Protocol.IO;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// Erases a range of a file for good: on Linux a hole is punched (fallocate(2)
/// FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE), so the blocks go back to the file system and the
/// range reads as zeros while the file keeps its length and every offset after it. Where that is
/// not supported (another system, a file system without it) the range is overwritten with zeros:
/// the bytes are gone either way, only the space is not freed. Then fsynced.
/// </summary>
internal static partial class HolePunch
{
    private const int PunchHole = 0x02;
    private const int KeepSize = 0x01;
    private const int EOpNotSupp = 95;
    private const int ENoSys = 38;

    /// <summary>Erases [<paramref name="from"/>, <paramref name="to"/>); true when a hole was punched, false when zeros were written.</summary>
    public static bool Erase(SafeFileHandle file, long from, long to, bool flushToDisk)
    {
        if (to <= from) return true;
        bool punched = TryPunch(file, from, to);
        if (!punched)
        {
            var zeros = new byte[(int)Math.Min(1024 * 1024, to - from)];
            for (long at = from; at < to; at += zeros.Length)
                RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, to - at)), at);
        }
        if (flushToDisk) RandomAccess.FlushToDisk(file);
        return punched;
    }

    private static bool TryPunch(SafeFileHandle file, long from, long to)
    {
        if (!OperatingSystem.IsLinux()) return false;
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            int fd = (int)file.DangerousGetHandle();
            int rc;
            do rc = Fallocate(fd, PunchHole | KeepSize, from, to - from);
            while (rc < 0 && Marshal.GetLastPInvokeError() == Interrupted.EIntr);
            if (rc == 0) return true;
            int errno = Marshal.GetLastPInvokeError();
            // Not supported here: the caller writes zeros instead. Anything else is an I/O error.
            if (errno is EOpNotSupp or ENoSys) return false;
            throw new IOException($"fallocate(PUNCH_HOLE) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);
}
