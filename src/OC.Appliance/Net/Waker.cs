using System.Net;
using System.Net.Sockets;

namespace OC.Appliance.Net;

/// <summary>
/// Lets other threads (the storage worker, a signal handler) wake the loop out of its poll:
/// a UDP socket on loopback connected to itself, which both backends can wait on. Wake-ups
/// are coalesced: one datagram stays in flight until the loop has drained it, however many
/// threads call <see cref="Wake"/> meanwhile.
/// </summary>
internal sealed class Waker : IEventHandler, IDisposable
{
    private readonly byte[] _one = [1];
    private readonly byte[] _drain = new byte[64];
    private int _signalled;

    public Waker()
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Socket.Connect(Socket.LocalEndPoint!);
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
        while (Socket.Receive(_drain, 0, _drain.Length, SocketFlags.None, out var error) > 0 && error == SocketError.Success)
        {
        }
        // Clear before running the callback: a wake that arrives while it runs sends a new datagram.
        Volatile.Write(ref _signalled, 0);
        OnWake?.Invoke();
    }

    public void Dispose() => Socket.Dispose();
}
