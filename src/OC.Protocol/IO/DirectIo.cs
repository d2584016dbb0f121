using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OC.Protocol.IO;

/// <summary>
/// O_DIRECT on an open file (Linux): writes go from the caller's buffer to the device, not
/// through the page cache. .NET has no FileOptions for it, so it is switched on with
/// fcntl(F_SETFL) after the file is opened. The flag's value differs by architecture
/// (asm-generic 040000 on x86/x64, 0200000 on 32- and 64-bit ARM).
/// </summary>
public static partial class DirectIo
{
    /// <summary>Offsets, lengths and buffer addresses of O_DIRECT transfers are multiples of this
    /// (the largest logical block size in use; 512-byte devices accept it too).</summary>
    public const int Alignment = 4096;

    private const int FGetFl = 3;
    private const int FSetFl = 4;

    private static int Flag => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => 0,
    };

    /// <summary>
    /// Turns O_DIRECT on for <paramref name="handle"/>; false (and the handle unchanged) where the
    /// platform or the file system does not support it (fcntl answers EINVAL).
    /// </summary>
    public static bool TryEnable(SafeFileHandle handle) => TrySet(handle, on: true);

    /// <summary>Turns O_DIRECT off again (best effort: the handle goes back to its owner for ordinary reads and writes).</summary>
    public static void Disable(SafeFileHandle handle) => TrySet(handle, on: false);

    private static unsafe bool TrySet(SafeFileHandle handle, bool on)
    {
        if (!OperatingSystem.IsLinux() || Flag == 0) return false;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            int fd = (int)handle.DangerousGetHandle();
            int flags = Interrupted.Retry(&Fcntl, fd, FGetFl, 0);
            return flags >= 0 && Interrupted.Retry(&Fcntl, fd, FSetFl, on ? flags | Flag : flags & ~Flag) == 0;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    // fcntl is variadic; its third argument is an int for F_GETFL/F_SETFL, which the Linux x64 and
    // ARM64 calling conventions pass exactly like a fixed int argument.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);
}
