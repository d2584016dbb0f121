using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;
using OC.Protocol.Discovery;

namespace OC.Appliance.Discovery;

/// <summary>
/// The appliance's Multicast DNS responder (RFC 6762) for DNS-SD (RFC 6763), on the event loop.
/// Per interface: probe for the names (3 probes 250 ms apart), announce (2 responses 1 s apart),
/// then answer queries; a name taken by another device is renamed ("name (2)", "host-2"). Stop
/// sends goodbyes (TTL 0). The interface list is looked at again every 5 s.
/// This file: start, stop and the interfaces. Probing, announcing and renaming: .Probing.cs;
/// incoming packets: .Receive.cs.
/// </summary>
internal sealed partial class MdnsResponder : IDisposable
{
    private static readonly TimeSpan ScanPeriod = TimeSpan.FromSeconds(5);

    private readonly EventLoop _loop;
    private readonly ServiceInfo _service;
    private readonly Func<LinkScan> _scan;
    private readonly Dictionary<int, Link> _links = [];
    private IReadOnlySet<IPAddress> _localAddresses = new HashSet<IPAddress>();
    private IMdnsTransport _transport = null!;
    private MdnsSocket? _socket;
    private NetworkWatch? _watch;
    private MdnsNames _names;
    private bool _stopped;

    internal MdnsResponder(EventLoop loop, MdnsNames names, ServiceInfo service, Func<LinkScan> scan)
    {
        _loop = loop;
        _names = names;
        _service = service;
        _scan = scan;
    }

    /// <summary>The names in use now (after any renaming).</summary>
    public MdnsNames Names => _names;

    public IEnumerable<string> InterfaceNames => _links.Values.Select(l => l.Info.Name);

    /// <summary>
    /// Starts announcing, or returns null (logged) when it cannot: the appliance listens on
    /// loopback only, or UDP port 5353 cannot be had. The appliance serves either way.
    /// </summary>
    public static MdnsResponder? Start(EventLoop loop, IPAddress bound, string instanceName, ServiceInfo service)
    {
        if (IPAddress.IsLoopback(bound))
        {
            Log.Info("mdns.off", $"listening on {bound} only: nothing to announce on the LAN");
            return null;
        }
        var responder = new MdnsResponder(loop, new MdnsNames(instanceName, Environment.MachineName), service, () => LinkInfo.Scan(bound));
        try
        {
            responder._socket = new MdnsSocket(loop, DnsSdNames.MdnsPort, responder.OnPacket);
        }
        catch (SocketException e)
        {
            Log.Warn("mdns.unavailable", $"cannot use UDP port {DnsSdNames.MdnsPort} ({e.SocketErrorCode}: {e.Message}); clients must be given the address");
            return null;
        }
        responder._transport = responder._socket;
        try
        {
            responder.ApplyLinks(responder._scan());
        }
        catch (System.Net.NetworkInformation.NetworkInformationException e)
        {
            Log.Warn("mdns.scan_failed", $"cannot list the network interfaces ({e.Message}); trying again every {ScanPeriod.TotalSeconds} s");
        }
        responder._watch = new NetworkWatch(loop, ScanPeriod, responder._scan, responder.ApplyLinks);
        Log.Info("mdns.starting", $"'{responder._names.Instance}' as {DnsSdNames.ServiceType} on port {service.Port}, host {responder._names.Host}.local, "
            + (responder._links.Count > 0 ? "interfaces " + string.Join(", ", responder.InterfaceNames) : "no interface with IPv4 multicast yet"));
        return responder;
    }

    /// <summary>For tests: a responder on a transport of their own.</summary>
    internal static MdnsResponder StartOn(EventLoop loop, IMdnsTransport transport, MdnsNames names, ServiceInfo service, Func<LinkScan> scan)
    {
        var responder = new MdnsResponder(loop, names, service, scan) { _transport = transport };
        responder.ApplyLinks(scan());
        return responder;
    }

    /// <summary>
    /// Shutdown (SIGTERM): goodbye packets (every record with TTL 0, RFC 6762 §10.1) on each
    /// interface where the records were announced, then the socket closes.
    /// </summary>
    public void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        _watch?.Dispose();
        int sent = 0;
        foreach (var link in _links.Values)
        {
            link.Timer?.Cancel();
            if (link.Phase == Phase.Probing) continue;
            SendGoodbye(link, link.Records.All(TtlMode.Goodbye));
            sent++;
        }
        if (sent > 0) Log.Info("mdns.goodbye", $"'{_names.Instance}' withdrawn on {sent} interface(s)");
        _socket?.Dispose();
    }

    public void Dispose() => Stop();

    /// <summary>Loop thread: the interface list changed (or is looked at for the first time).</summary>
    internal void ApplyLinks(LinkScan scan)
    {
        if (_stopped) return;
        _localAddresses = scan.LocalAddresses;
        var fresh = scan.Links.ToDictionary(l => l.Index);
        foreach (var gone in _links.Values.Where(l => !fresh.ContainsKey(l.Info.Index)).ToList())
        {
            gone.Timer?.Cancel();
            _transport.Leave(gone.Info.Index);
            _links.Remove(gone.Info.Index);
            Log.Info("mdns.interface_gone", gone.Info.Name);
        }
        foreach (var info in scan.Links)
        {
            if (_links.TryGetValue(info.Index, out var link))
            {
                if (!link.Info.SameAs(info)) Readdress(link, info);
                continue;
            }
            if (!_transport.Join(info.Index)) continue;
            link = new Link(info, Records(info));
            _links.Add(info.Index, link);
            if (_watch is not null) Log.Info("mdns.interface_added", info.ToString());
            StartProbing(link, TimeSpan.FromMilliseconds(Random.Shared.Next(0, 251)));
        }
    }

    // New addresses on a known interface: the old address records are withdrawn and the new ones
    // announced (cache-flush replaces what caches hold).
    private void Readdress(Link link, LinkInfo info)
    {
        var before = link.Records;
        link.Info = info;
        link.Records = Records(info);
        Log.Info("mdns.interface_changed", info.ToString());
        if (link.Phase == Phase.Probing) return;
        var withdrawn = before.Unique(TtlMode.Goodbye).OfType<AddressRecord>().Where(r => !info.Has(r.Address)).ToList();
        if (withdrawn.Count > 0) SendGoodbye(link, withdrawn);
        StartAnnouncing(link);
    }

    private ServiceRecords Records(LinkInfo info) => new(_names, _service, info.Addresses.ToList());

    private void SendGoodbye(Link link, IEnumerable<ResourceRecord> records) =>
        _transport.Multicast(ServiceRecords.Response(records).ToByteArray(), link.Info.Index);

    private enum Phase
    {
        Probing,
        Announcing,
        Ready,
    }

    private sealed class Link(LinkInfo info, ServiceRecords records)
    {
        public LinkInfo Info { get; set; } = info;
        public ServiceRecords Records { get; set; } = records;
        public Phase Phase { get; set; }
        public int Step { get; set; }
        public LoopTimer? Timer { get; set; }

        // RFC 6762 §6: the same answer is multicast at most once a second on an interface.
        public byte[]? LastAnswer { get; set; }
        public long LastAnswerMs { get; set; }
    }
}
