using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace OC.Appliance.Discovery;

/// <summary>The interfaces to work on, and every address of this machine (for telling our own records from another device's).</summary>
internal sealed record LinkScan(IReadOnlyList<LinkInfo> Links, IReadOnlySet<IPAddress> LocalAddresses);

/// <summary>An IPv4 address of an interface with its prefix length, for the on-link check.</summary>
internal readonly record struct LinkAddress(IPAddress Address, int PrefixLength);

/// <summary>
/// One network interface the responder works on: up, multicast-capable, not loopback, with at
/// least one IPv4 address. Its addresses are what the host name's A and AAAA records say on it
/// (RFC 6762 §6.2: answer with the addresses of the interface the query came in on).
/// </summary>
internal sealed class LinkInfo(int index, string name, IReadOnlyList<LinkAddress> ipv4, IReadOnlyList<IPAddress> ipv6)
{
    public int Index { get; } = index;
    public string Name { get; } = name;
    public IReadOnlyList<LinkAddress> IPv4 { get; } = ipv4;
    public IReadOnlyList<IPAddress> IPv6 { get; } = ipv6;

    public IEnumerable<IPAddress> Addresses => IPv4.Select(a => a.Address).Concat(IPv6);

    public bool Has(IPAddress address) => Addresses.Contains(address);

    /// <summary>Same interface with the same addresses (in any order).</summary>
    public bool SameAs(LinkInfo other) =>
        Index == other.Index && Name == other.Name
        && IPv4.Count == other.IPv4.Count && IPv4.All(other.IPv4.Contains)
        && IPv6.Count == other.IPv6.Count && IPv6.All(other.IPv6.Contains);

    /// <summary>
    /// Whether <paramref name="source"/> is on this link: in one of its IPv4 subnets, or IPv4/IPv6
    /// link-local. RFC 6762 §11: a query that came by unicast from elsewhere gets no answer.
    /// </summary>
    public bool IsOnLink(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6) source = source.MapToIPv4();
        if (source.AddressFamily == AddressFamily.InterNetworkV6) return source.IsIPv6LinkLocal;
        uint value = ToUInt32(source);
        if ((value >> 16) == 0xA9FE) return true; // 169.254.0.0/16
        foreach (var own in IPv4)
        {
            uint ownValue = ToUInt32(own.Address);
            uint mask = own.PrefixLength <= 0 ? 0 : own.PrefixLength >= 32 ? uint.MaxValue : uint.MaxValue << (32 - own.PrefixLength);
            if ((value & mask) == (ownValue & mask)) return true;
        }
        return false;
    }

    // fe80::1%eth0 and the fe80::1 of an AAAA record are the same address here: IPAddress
    // equality would tell them apart by the scope id, and our own records would look foreign.
    private static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

    private static uint ToUInt32(IPAddress ipv4)
    {
        Span<byte> bytes = stackalloc byte[4];
        ipv4.TryWriteBytes(bytes, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public override string ToString() => $"{Name} ({string.Join(", ", Addresses)})";

    /// <summary>
    /// The interfaces to announce on now. Reads /proc and /sys, so the responder calls it off the
    /// loop (see <see cref="NetworkWatch"/>). <paramref name="bound"/> is the address the
    /// appliance listens on: with a specific one, only its interface and that address count.
    /// </summary>
    public static LinkScan Scan(IPAddress bound)
    {
        bool any = bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any);
        var links = new List<LinkInfo>();
        var local = new HashSet<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            foreach (var unicast in properties.UnicastAddresses) local.Add(WithoutScope(unicast.Address));
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || !nic.SupportsMulticast) continue;
            // Virtual links (veth, tun) may say Unknown while they carry traffic; Down never does.
            if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown)) continue;
            int? index = properties.GetIPv4Properties()?.Index;
            if (index is null) continue;
            var ipv4 = new List<LinkAddress>();
            var ipv6 = new List<IPAddress>();
            foreach (var unicast in properties.UnicastAddresses)
            {
                var address = WithoutScope(unicast.Address);
                if (!any && !address.Equals(bound)) continue;
                if (address.AddressFamily == AddressFamily.InterNetwork) ipv4.Add(new LinkAddress(address, unicast.PrefixLength));
                else if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv6Multicast) ipv6.Add(address);
            }
            if (ipv4.Count > 0) links.Add(new LinkInfo(index.Value, nic.Name, ipv4, ipv6));
        }
        return new LinkScan(links, local);
    }
}
