using System.Net;

namespace OC.Protocol.Discovery;

/// <summary>
/// What the appliance announces over Multicast DNS and what <c>oc</c> browses for
/// (docs/discovery.md): DNS-SD service type <c>_oc._tcp.local</c> (RFC 6763), one instance per
/// appliance, with TXT keys <see cref="TxtVersion"/>, <see cref="TxtHttpPort"/>, <see cref="TxtId"/> and <see cref="TxtFingerprint"/>.
/// </summary>
public static class DnsSdNames
{
    /// <summary>The mDNS port (RFC 6762 §3); a query from any other port is a "legacy unicast" one (§6.7).</summary>
    public const int MdnsPort = 5353;

    /// <summary>The link-local mDNS group, 224.0.0.251 (RFC 6762 §3).</summary>
    public static IPAddress MulticastGroup { get; } = new([224, 0, 0, 251]);

    /// <summary>Service type labels: <c>_oc._tcp</c>.</summary>
    public const string ServiceLabel = "_oc";
    public const string ProtocolLabel = "_tcp";
    public const string Domain = "local";

    /// <summary>The service type as people write it (docs, messages).</summary>
    public const string ServiceType = "_oc._tcp";

    /// <summary>TXT key: the OC protocol version (<see cref="ProtocolLimits.Version"/>).</summary>
    public const string TxtVersion = "v";

    /// <summary>TXT key: the HTTP status page's port, present only when the page is served.</summary>
    public const string TxtHttpPort = "http";

    /// <summary>TXT key: the appliance id (32 lowercase hex digits, stable for its database).</summary>
    public const string TxtId = "id";

    /// <summary>The SHA-256 fingerprint of the TLS certificate (absent with --insecure-plaintext).</summary>
    public const string TxtFingerprint = "fp";

    /// <summary>The longest DNS label (RFC 1035 §2.3.4): an instance name is cut to this many UTF-8 bytes.</summary>
    public const int MaxLabelBytes = 63;
}
