using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using OC.Protocol.IO;
using static OC.Appliance.Net.EpollNative;

namespace OC.Appliance.Net;

/// <summary>Level-triggered epoll backend (Linux).</summary>
internal sealed unsafe class EpollPoller : IPoller
{
    private const int MaxEventsPerWait = 1024;

    private readonly int _epfd;
    private readonly bool _packed = UsesPackedLayout;
    private readonly EventPacked* _packedEvents;
    private readonly EventAligned* _alignedEvents;

    public EpollPoller()
    {
        _epfd = epoll_create1(EPOLL_CLOEXEC);
        if (_epfd < 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_create1 failed");
        if (_packed) _packedEvents = (EventPacked*)NativeMemory.Alloc(MaxEventsPerWait, (nuint)sizeof(EventPacked));
        else _alignedEvents = (EventAligned*)NativeMemory.Alloc(MaxEventsPerWait, (nuint)sizeof(EventAligned));
    }

    public string Name => "epoll";

    /// <summary>True where epoll can be created (Linux); otherwise the loop falls back to select.</summary>
    public static bool IsSupported
    {
        get
        {
            if (!OperatingSystem.IsLinux()) return false;
            try
            {
                int fd = epoll_create1(EPOLL_CLOEXEC);
                if (fd < 0) return false;
                close(fd);
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }
    }

    public void Add(Socket socket, ulong token, PollEvents interest) => Control(EPOLL_CTL_ADD, socket, token, interest);

    public void Modify(Socket socket, ulong token, PollEvents interest) => Control(EPOLL_CTL_MOD, socket, token, interest);

    public void Remove(Socket socket, ulong token) => Control(EPOLL_CTL_DEL, socket, token, PollEvents.None);

    public int Wait(Span<PollEvent> events, int timeoutMs)
    {
        int max = Math.Min(events.Length, MaxEventsPerWait);
        // A signal (SIGTERM handling, a debugger) interrupts the wait: not an error, just retry.
        int n = Interrupted.Retry(&WaitOnce, this, max, timeoutMs);
        if (n < 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_wait failed");
        for (int i = 0; i < n; i++)
        {
            uint e = _packed ? _packedEvents[i].Events : _alignedEvents[i].Events;
            ulong data = _packed ? _packedEvents[i].Data : _alignedEvents[i].Data;
            events[i] = new PollEvent(data, Translate(e));
        }
        return n;
    }

    // Static, with the poller as an argument, so Interrupted.Retry takes it as a function pointer.
    private static int WaitOnce(EpollPoller poller, int max, int timeoutMs) => poller._packed
        ? epoll_wait_packed(poller._epfd, poller._packedEvents, max, timeoutMs)
        : epoll_wait_aligned(poller._epfd, poller._alignedEvents, max, timeoutMs);

    public void Dispose()
    {
        close(_epfd);
        if (_packedEvents != null) NativeMemory.Free(_packedEvents);
        if (_alignedEvents != null) NativeMemory.Free(_alignedEvents);
    }

    private void Control(int op, Socket socket, ulong token, PollEvents interest)
    {
        int fd = (int)socket.Handle;
        uint mask = EPOLLRDHUP;
        if ((interest & PollEvents.Readable) != 0) mask |= EPOLLIN;
        if ((interest & PollEvents.Writable) != 0) mask |= EPOLLOUT;

        int rc;
        if (_packed)
        {
            var ev = new EventPacked { Events = mask, Data = token };
            rc = epoll_ctl_packed(_epfd, op, fd, &ev);
        }
        else
        {
            var ev = new EventAligned { Events = mask, Data = token };
            rc = epoll_ctl_aligned(_epfd, op, fd, &ev);
        }
        if (rc < 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), $"epoll_ctl({op}) failed");
    }

    private static PollEvents Translate(uint e)
    {
        var result = PollEvents.None;
        if ((e & EPOLLIN) != 0) result |= PollEvents.Readable;
        if ((e & EPOLLOUT) != 0) result |= PollEvents.Writable;
        if ((e & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0) result |= PollEvents.Error;
        return result;
    }
}
