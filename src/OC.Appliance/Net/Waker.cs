using System.Net;
using System.Net.Sockets;

namespace OC.Appliance.Net;

/// <summary>
/// Lets other threads (the storage worker, a signal handler) wake the loop out of its poll:
/// a datagram socket connected to itself, which both backends can wait on. Wake-ups are
/// coalesced: one datagram stays in flight until the loop has taken it, however many threads
/// call <see cref="Wake"/> meanwhile.
/// </summary>
/// <remarks>
/// On Linux a Unix datagram socket in the abstract namespace: every completed group of the message
/// worker wakes the loop, and a loopback UDP datagram costs the sender the IP stack and a softirq
/// (issue 13's trace: 25-55 µs per <c>sendto</c> on this VM); a Unix datagram is queued straight
/// on the receiver. Elsewhere (and if that fails) UDP on loopback, as before.
/// </remarks>
internal sealed class Waker : IEventHandler, IDisposable
{
    private readonly byte[] _one = [1];
    private readonly byte[] _drain = new byte[64];
    private int _signalled;

    public Waker()
    {
        Socket = OperatingSystem.IsLinux() ? TryUnixSelfSocket() ?? UdpSelfSocket() : UdpSelfSocket();
        Socket.Blocking = false;
    }

    public Socket Socket { get; }

    /// <summary>Runs on the loop after a wake-up.</summary>
    public Action? OnWake { get; set; }

    public void Wake()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 1) return;
        try
        {
            Socket.Send(_one, SocketFlags.None, out _);
        }
        catch (ObjectDisposedException)
        {
            // A pool thread finishing late work after shutdown: nobody is left to wake.
        }
    }

    public void OnEvents(PollEvents events)
    {
        // One receive, not one until EAGAIN: with the flag below at most one datagram is in flight
        // (two if a wake came between the take and the clear), and one left over only makes the
        // socket readable for the next iteration, which is a wake-up anyway. A syscall less per wake.
        Socket.Receive(_drain, 0, _drain.Length, SocketFlags.None, out _);
        // Clear before running the callback: a wake that arrives while it runs sends a new datagram.
        Volatile.Write(ref _signalled, 0);
        OnWake?.Invoke();
    }

    public void Dispose() => Socket.Dispose();

    private static Socket? TryUnixSelfSocket()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            // A leading NUL: the abstract namespace, no file to create or delete, gone with the socket.
            var name = new UnixDomainSocketEndPoint("\0oc-waker-" + Guid.NewGuid().ToString("N"));
            socket.Bind(name);
            socket.Connect(name);
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    private static Socket UdpSelfSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Connect(socket.LocalEndPoint!);
        return socket;
    }
}
