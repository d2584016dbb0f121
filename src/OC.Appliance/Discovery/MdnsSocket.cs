using System.Net;
using System.Net.Sockets;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;
using OC.Protocol.Discovery;

namespace OC.Appliance.Discovery;

/// <summary>Called on the loop for each datagram: the bytes, who sent it, the interface it came in on, and where it was sent (224.0.0.251 or our own address).</summary>
internal delegate void MdnsPacketHandler(byte[] buffer, int length, IPEndPoint source, int interfaceIndex, IPAddress destination);

/// <summary>Where the responder's packets go: the real socket, or a test's list.</summary>
internal interface IMdnsTransport
{
    bool Join(int interfaceIndex);

    void Leave(int interfaceIndex);

    void Multicast(byte[] packet, int interfaceIndex);

    void Unicast(byte[] packet, IPEndPoint destination);
}

/// <summary>
/// The mDNS UDP socket, one more socket on the appliance's event loop: bound to 0.0.0.0:5353 with
/// SO_REUSEADDR and SO_REUSEPORT (so it shares the port with avahi-daemon or mDNSResponder on the
/// same machine; for multicast every such socket gets a copy), joined to 224.0.0.251 on each
/// interface the responder uses, IP_PKTINFO on (to learn the interface of each datagram), IP TTL
/// 255 (RFC 6762 §11) and multicast loopback on (so `oc servers` on the appliance itself sees it).
/// </summary>
internal sealed class MdnsSocket : IEventHandler, IMdnsTransport, IDisposable
{
    private const int MaxDatagramsPerEvent = 64;
    private const int SolSocket = 1, SoReuseAddr = 2, SoReusePort = 15;
    private const int IpProtoIp = 0, IpMulticastIf = 32;

    private readonly EventLoop _loop;
    private readonly MdnsPacketHandler _onPacket;
    private readonly byte[] _receive = new byte[MdnsPacket.MaxBytes];
    private readonly IPEndPoint _group = new(DnsSdNames.MulticastGroup, DnsSdNames.MdnsPort);
    private ulong _token;

    public MdnsSocket(EventLoop loop, int port, MdnsPacketHandler onPacket)
    {
        _loop = loop;
        _onPacket = onPacket;
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                Socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
                Socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            }
            else
            {
                Socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }
            Socket.Bind(new IPEndPoint(IPAddress.Any, port));
            Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            Socket.Ttl = 255;
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

    /// <summary>Joins 224.0.0.251 on the interface; false (logged) if the kernel says no.</summary>
    public bool Join(int interfaceIndex)
    {
        try
        {
            Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(DnsSdNames.MulticastGroup, interfaceIndex));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true; // Already a member (the interface went and came back under the same index).
        }
        catch (SocketException e)
        {
            Log.Warn("mdns.join_failed", $"interface {interfaceIndex}: {e.SocketErrorCode}: {e.Message}");
            return false;
        }
    }

    /// <summary>Leaves the group on an interface that went away; errors (it is gone) do not matter.</summary>
    public void Leave(int interfaceIndex)
    {
        try
        {
            Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.DropMembership, new MulticastOption(DnsSdNames.MulticastGroup, interfaceIndex));
        }
        catch (SocketException)
        {
        }
    }

    public void Multicast(byte[] packet, int interfaceIndex)
    {
        try
        {
            SelectInterface(interfaceIndex);
            Socket.SendTo(packet, SocketFlags.None, _group);
        }
        catch (SocketException e)
        {
            // Best effort, as mDNS is: a full send buffer or an interface that just went away.
            Log.Debug("mdns.send_failed", $"multicast on interface {interfaceIndex}: {e.SocketErrorCode}");
        }
    }

    public void Unicast(byte[] packet, IPEndPoint destination)
    {
        try
        {
            Socket.SendTo(packet, SocketFlags.None, destination);
        }
        catch (SocketException e)
        {
            Log.Debug("mdns.send_failed", $"unicast to {destination}: {e.SocketErrorCode}");
        }
    }

    public void OnEvents(PollEvents events)
    {
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        for (int i = 0; i < MaxDatagramsPerEvent && Socket.Available > 0; i++)
        {
            var flags = SocketFlags.None;
            int length;
            IPPacketInformation info;
            try
            {
                length = Socket.ReceiveMessageFrom(_receive, 0, _receive.Length, ref flags, ref from, out info);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            // A datagram longer than the buffer is truncated (MSG_TRUNC): not a valid mDNS packet.
            if ((flags & SocketFlags.Truncated) != 0) continue;
            _onPacket(_receive, length, (IPEndPoint)from, info.Interface, info.Address);
        }
    }

    // Multicast goes out of the given interface: IP_MULTICAST_IF with struct ip_mreqn (address 0,
    // interface index) on Linux, unambiguous where .NET's 4-byte form may mean either.
    private void SelectInterface(int interfaceIndex)
    {
        if (OperatingSystem.IsLinux())
        {
            Span<byte> mreqn = stackalloc byte[12];
            mreqn.Clear();
            BitConverter.TryWriteBytes(mreqn[8..], interfaceIndex); // imr_ifindex, host byte order
            Socket.SetRawSocketOption(IpProtoIp, IpMulticastIf, mreqn);
        }
        else
        {
            Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(interfaceIndex));
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
