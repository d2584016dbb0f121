using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using OC.Protocol;
using OC.Protocol.Discovery;

namespace OC.Appliance.Discovery;

/// <summary>What the appliance offers: the protocol port, the status page's port (if served) and its id.</summary>
internal sealed record ServiceInfo(int Port, int? HttpPort, string Id, string? Fingerprint = null);

/// <summary>How records are sent: with their TTLs, capped for a legacy unicast answer, or as a goodbye.</summary>
internal enum TtlMode
{
    Normal,

    /// <summary>RFC 6762 §6.7: TTL at most 10 s, no cache-flush bit.</summary>
    LegacyUnicast,

    /// <summary>RFC 6762 §10.1: TTL 0, "this record is gone".</summary>
    Goodbye,
}

/// <summary>
/// The resource records of the appliance on one interface (they differ only in its addresses):
/// <code>
/// _services._dns-sd._udp.local PTR  _oc._tcp.local            shared, 4500 s (RFC 6763 §9)
/// _oc._tcp.local               PTR  NAME._oc._tcp.local       shared, 4500 s
/// NAME._oc._tcp.local          SRV  0 0 PORT HOST.local       unique, 120 s
/// NAME._oc._tcp.local          TXT  "v=1" "http=PORT" "id=ID" unique, 4500 s
/// HOST.local                   A    each IPv4 address         unique, 120 s
/// HOST.local                   AAAA each IPv6 address         unique, 120 s
/// </code>
/// Unique records carry the cache-flush bit (RFC 6762 §10.2). Every call builds new record
/// objects, so a caller may change them (TTL, class) freely.
/// </summary>
internal sealed class ServiceRecords(MdnsNames names, ServiceInfo service, IReadOnlyList<IPAddress> addresses)
{
    /// <summary>RFC 6762 §10: 120 s for records with a host name in them or as their owner, 75 minutes for the others.</summary>
    public static readonly TimeSpan HostTtl = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan OtherTtl = TimeSpan.FromMinutes(75);
    public static readonly TimeSpan LegacyTtlCap = TimeSpan.FromSeconds(10);

    /// <summary>The top bit of the rrclass: cache-flush in a record, unicast-response in a question.</summary>
    public const ushort TopBit = 0x8000;

    public MdnsNames Names { get; } = names;
    public ServiceInfo Service { get; } = service;
    public IReadOnlyList<IPAddress> Addresses { get; } = addresses;

    public DomainName InstanceName { get; } = names.InstanceName;
    public DomainName HostName { get; } = names.HostName;

    public bool HasIPv6 => Addresses.Any(a => a.AddressFamily == AddressFamily.InterNetworkV6);

    public ResourceRecord EnumerationPointer(TtlMode mode) =>
        Shape(new PTRRecord { Name = MdnsNames.ServiceEnumeration, DomainName = MdnsNames.ServiceType }, OtherTtl, unique: false, mode);

    public ResourceRecord ServicePointer(TtlMode mode) =>
        Shape(new PTRRecord { Name = MdnsNames.ServiceType, DomainName = InstanceName }, OtherTtl, unique: false, mode);

    public ResourceRecord Srv(TtlMode mode) =>
        Shape(new SRVRecord { Name = InstanceName, Priority = 0, Weight = 0, Port = (ushort)Service.Port, Target = HostName }, HostTtl, unique: true, mode);

    public ResourceRecord Txt(TtlMode mode)
    {
        var txt = new TXTRecord { Name = InstanceName };
        txt.Strings.Add(DnsSdNames.TxtVersion + "=" + ProtocolLimits.Version.ToString(CultureInfo.InvariantCulture));
        if (Service.HttpPort is { } http) txt.Strings.Add(DnsSdNames.TxtHttpPort + "=" + http.ToString(CultureInfo.InvariantCulture));
        txt.Strings.Add(DnsSdNames.TxtId + "=" + Service.Id);
        // The certificate's fingerprint, so a client can tell its first connection that what it
        // sees is what the LAN announced (docs/discovery.md; an attacker on the LAN can announce
        // too, so this only adds a check, it never replaces trusting on first use).
        if (Service.Fingerprint is { } fingerprint) txt.Strings.Add(DnsSdNames.TxtFingerprint + "=" + fingerprint);
        return Shape(txt, OtherTtl, unique: true, mode);
    }

    /// <summary>A records (<paramref name="family"/> InterNetwork) or AAAA records (InterNetworkV6) of the host name.</summary>
    public IEnumerable<ResourceRecord> AddressRecords(AddressFamily family, TtlMode mode) =>
        Addresses.Where(a => a.AddressFamily == family)
            .Select(a => Shape(AddressRecord.Create(HostName, a), HostTtl, unique: true, mode));

    /// <summary>NSEC for the instance name: it has SRV and TXT and nothing else (RFC 6762 §6.1).</summary>
    public ResourceRecord InstanceNsec(TtlMode mode) =>
        Shape(new NSECRecord { Name = InstanceName, NextOwnerName = InstanceName, Types = { DnsType.TXT, DnsType.SRV } }, OtherTtl, unique: true, mode);

    /// <summary>NSEC for the host name: A, and AAAA when this interface has IPv6 (RFC 6762 §6.1).</summary>
    public ResourceRecord HostNsec(TtlMode mode)
    {
        var nsec = new NSECRecord { Name = HostName, NextOwnerName = HostName, Types = { DnsType.A } };
        if (HasIPv6) nsec.Types.Add(DnsType.AAAA);
        return Shape(nsec, HostTtl, unique: true, mode);
    }

    /// <summary>The unique records, as a probe's authority section states them (RFC 6762 §8.1).</summary>
    public List<ResourceRecord> Unique(TtlMode mode) =>
        [Srv(mode), Txt(mode), .. AddressRecords(AddressFamily.InterNetwork, mode), .. AddressRecords(AddressFamily.InterNetworkV6, mode)];

    /// <summary>Everything: what an announcement (RFC 6762 §8.3) or a goodbye (§10.1) carries.</summary>
    public List<ResourceRecord> All(TtlMode mode) =>
        [EnumerationPointer(mode), ServicePointer(mode), .. Unique(mode)];

    /// <summary>An unsolicited response carrying <paramref name="records"/> (announcement, goodbye): id 0, AA set, no question (RFC 6762 §18).</summary>
    public static Message Response(IEnumerable<ResourceRecord> records)
    {
        var message = new Message { QR = true, AA = true };
        message.Answers.AddRange(records);
        return message;
    }

    private static ResourceRecord Shape(ResourceRecord record, TimeSpan ttl, bool unique, TtlMode mode)
    {
        record.TTL = mode switch
        {
            TtlMode.Goodbye => TimeSpan.Zero,
            TtlMode.LegacyUnicast => ttl < LegacyTtlCap ? ttl : LegacyTtlCap,
            _ => ttl,
        };
        record.Class = unique && mode != TtlMode.LegacyUnicast ? (DnsClass)((ushort)DnsClass.IN | TopBit) : DnsClass.IN;
        return record;
    }
}
