using System.Net;
using System.Net.Sockets;
using OC.Appliance.Diagnostics;

namespace OC.Appliance.Net;

/// <summary>The listening socket of a TCP service (or of the admin socket, a Unix domain socket), accepting on the loop.</summary>
internal sealed class Acceptor : IEventHandler, IDisposable
{
    // Accept a batch per wake-up, then let the loop serve the others (fairness).
    private const int MaxAcceptsPerEvent = 64;

    private readonly EventLoop _loop;
    private readonly Action<Socket> _onAccepted;
    private readonly string _service;
    private ulong _token;

    public Acceptor(EventLoop loop, IPEndPoint endPoint, string service, Action<Socket> onAccepted)
    {
        _loop = loop;
        _onAccepted = onAccepted;
        _service = service;
        Socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            Socket.DualMode = true;
        AllowRebindAfterRestart(Socket);
        Socket.Bind(endPoint);
        Socket.Listen(1024);
        Socket.Blocking = false;
        _token = _loop.Register(Socket, this, PollEvents.Readable);
    }

    /// <summary>Listens on a Unix domain socket, creating its file (which must not exist).</summary>
    public Acceptor(EventLoop loop, UnixDomainSocketEndPoint endPoint, string service, Action<Socket> onAccepted)
    {
        _loop = loop;
        _onAccepted = onAccepted;
        _service = service;
        Socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            Socket.Bind(endPoint);
            Socket.Listen(16);
            Socket.Blocking = false;
            _token = _loop.Register(Socket, this, PollEvents.Readable);
        }
        catch
        {
            Socket.Dispose();
            throw;
        }
    }

    public Socket Socket { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)Socket.LocalEndPoint!;

    public void OnEvents(PollEvents events)
    {
        for (int i = 0; i < MaxAcceptsPerEvent; i++)
        {
            Socket accepted;
            try
            {
                accepted = Socket.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException e)
            {
                // E.g. EMFILE: out of descriptors. Log it and carry on; the backlog waits.
                Log.Warn("net.accept_failed", $"{_service}: {e.SocketErrorCode}: {e.Message}");
                return;
            }
            accepted.Blocking = false;
            if (Socket.AddressFamily != AddressFamily.Unix) accepted.NoDelay = true;
            _onAccepted(accepted);
        }
    }

    /// <summary>
    /// SO_REUSEADDR only, so a restart binds while old connections linger in TIME_WAIT. Not
    /// .NET's ReuseAddress option: on Linux it sets SO_REUSEPORT too, which would let a second
    /// appliance bind the same port and silently share its clients.
    /// </summary>
    private static void AllowRebindAfterRestart(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            const int SOL_SOCKET = 1, SO_REUSEADDR = 2;
            socket.SetRawSocketOption(SOL_SOCKET, SO_REUSEADDR, BitConverter.GetBytes(1));
        }
        else if (!OperatingSystem.IsWindows())
        {
            // On Windows SO_REUSEADDR means "steal the port"; its default already rebinds.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }
    }

    public void Dispose()
    {
        if (_token != 0)
        {
            _loop.Unregister(_token);
            _token = 0;
        }
        Socket.Dispose();
    }
}
