using System.Runtime.InteropServices;

namespace OC.Appliance.Admin;

/// <summary>
/// Who owns a file (statx(2), glibc 2.28+; its struct has one layout on every architecture, unlike
/// struct stat). Used to keep root from writing the database of an appliance that runs as its own
/// user: files root creates there (LiteDB's log) would lock that user out of its own data.
/// </summary>
internal static partial class FileOwner
{
    private const int AT_FDCWD = -100;
    private const uint STATX_UID = 0x8;
    private const int StatxUidOffset = 20;

    /// <summary>The owner's uid; false when it cannot be told (not Linux, an old libc, an error).</summary>
    public static bool TryGetUid(string path, out uint uid)
    {
        uid = 0;
        if (!OperatingSystem.IsLinux()) return false;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            if (statx(AT_FDCWD, path, 0, STATX_UID, ref MemoryMarshal.GetReference(buffer)) != 0) return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        if ((MemoryMarshal.Read<uint>(buffer) & STATX_UID) == 0) return false;
        uid = MemoryMarshal.Read<uint>(buffer[StatxUidOffset..]);
        return true;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
