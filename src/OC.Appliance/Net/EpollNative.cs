using System.Runtime.InteropServices;

namespace OC.Appliance.Net;

/// <summary>
/// epoll(7) through [LibraryImport]. struct epoll_event is declared packed on x86-64 (12 bytes:
/// uint32 events, uint64 data at offset 4) and naturally aligned elsewhere, e.g. arm64 (16 bytes,
/// data at offset 8), so there are two layouts and the poller picks one at run time.
/// </summary>
internal static partial class EpollNative
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;

    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EventPacked
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct EventAligned
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>x86-64 is the one Linux ABI where the kernel packs the struct.</summary>
    public static bool UsesPackedLayout => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static unsafe partial int epoll_ctl_packed(int epfd, int op, int fd, EventPacked* ev);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static unsafe partial int epoll_ctl_aligned(int epfd, int op, int fd, EventAligned* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static unsafe partial int epoll_wait_packed(int epfd, EventPacked* events, int maxevents, int timeout);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static unsafe partial int epoll_wait_aligned(int epfd, EventAligned* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);
}
