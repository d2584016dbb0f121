using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Makaretu.Dns;
using OC.Protocol.Discovery;

namespace OC.CliClient.Discovery;

/// <summary>
/// Finds appliances on the LAN with one-shot Multicast DNS queries (RFC 6762 §5.1): a PTR query
/// for <c>_oc._tcp.local</c> sent to 224.0.0.251:5353 on every IPv4 multicast interface from an
/// ephemeral port, so responders answer by unicast straight to us (the "legacy unicast" answer
/// of §6.7, with our query id). Answers carry SRV, TXT and A records along with the PTR (RFC 6763
/// §12.1); whatever is missing is asked for once. The query is repeated once, in case a datagram
/// was lost.
/// </summary>
internal static class LanBrowser
{
    public static readonly TimeSpan DefaultListen = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Repeat = TimeSpan.FromMilliseconds(300);
    private static readonly IPEndPoint Group = new(DnsSdNames.MulticastGroup, DnsSdNames.MdnsPort);

    /// <summary>Listens for <paramref name="listen"/> and returns every appliance that answered, by name.</summary>
    public static async Task<IReadOnlyList<DiscoveredAppliance>> BrowseAsync(TimeSpan listen, CancellationToken cancellationToken)
    {
        var interfaces = MulticastInterfaces();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);

        ushort id = (ushort)Random.Shared.Next(1, ushort.MaxValue);
        var browse = new BrowseResults();
        var serviceQuery = Query(id, [new Question { Name = BrowseResults.ServiceType, Type = DnsType.PTR }]);
        Send(socket, serviceQuery, interfaces);

        long start = Environment.TickCount64;
        long deadline = start + (long)listen.TotalMilliseconds;
        long repeatAt = start + (long)Math.Min(Repeat.TotalMilliseconds, listen.TotalMilliseconds / 3);
        var buffer = new byte[9000];
        while (true)
        {
            long now = Environment.TickCount64;
            if (now >= deadline) break;
            if (repeatAt > 0 && now >= repeatAt)
            {
                repeatAt = 0;
                Send(socket, serviceQuery, interfaces);
            }
            long wakeAt = repeatAt > 0 ? Math.Min(repeatAt, deadline) : deadline;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, wakeAt - now)));
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue; // Time to repeat the query, or to stop.
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            if (!TryRead(buffer, received.ReceivedBytes, out var message) || !message.IsResponse || message.Id != id) continue;
            browse.Add(message, ((IPEndPoint)received.RemoteEndPoint).Address);
            var missing = browse.TakeMissingQuestions();
            if (missing.Count > 0) Send(socket, Query(id, missing), interfaces);
        }
        return browse.Results();
    }

    private static Message Query(ushort id, List<Question> questions)
    {
        var query = new Message { Id = id };
        query.Questions.AddRange(questions);
        return query;
    }

    private static bool TryRead(byte[] buffer, int length, out Message message)
    {
        message = new Message();
        try
        {
            message.Read(buffer, 0, length);
            return true;
        }
#pragma warning disable CA1031 // Anything on the LAN may send us anything: an unreadable datagram is skipped.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static void Send(Socket socket, Message query, List<int> interfaces)
    {
        byte[] packet = query.ToByteArray();
        if (interfaces.Count == 0)
        {
            TrySend(socket, packet); // Let the routing table choose, if it can.
            return;
        }
        foreach (int index in interfaces)
        {
            if (TrySelectInterface(socket, index)) TrySend(socket, packet);
        }
    }

    private static void TrySend(Socket socket, byte[] packet)
    {
        try
        {
            socket.SendTo(packet, SocketFlags.None, Group);
        }
        catch (SocketException)
        {
            // No route for multicast on this interface (or at all): nothing answers there.
        }
    }

    // IP_MULTICAST_IF with struct ip_mreqn (address 0, interface index) on Linux; elsewhere the
    // index in network order, as Windows and .NET document it.
    private static bool TrySelectInterface(Socket socket, int index)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                Span<byte> mreqn = stackalloc byte[12];
                mreqn.Clear();
                BitConverter.TryWriteBytes(mreqn[8..], index);
                socket.SetRawSocketOption(0, 32, mreqn);
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(index));
            }
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Indexes of the interfaces that are up, multicast-capable, not loopback and have IPv4.</summary>
    private static List<int> MulticastInterfaces()
    {
        var indexes = new List<int>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || !nic.SupportsMulticast) continue;
                if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown)) continue;
                var properties = nic.GetIPProperties();
                if (!properties.UnicastAddresses.Any(a => a.Address.AddressFamily == AddressFamily.InterNetwork)) continue;
                if (properties.GetIPv4Properties()?.Index is { } index) indexes.Add(index);
            }
        }
        catch (NetworkInformationException)
        {
            // Then the routing table chooses.
        }
        return indexes;
    }
}
