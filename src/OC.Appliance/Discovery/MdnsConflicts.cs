using System.Net;
using Makaretu.Dns;

namespace OC.Appliance.Discovery;

/// <summary>Which name another device disputes.</summary>
internal enum ConflictKind
{
    None,
    Instance,
    Host,
}

/// <summary>
/// When another device claims one of our names (RFC 6762 §8.2, §9). Records with the same data are
/// not a conflict: several responders may well say the same thing (avahi on the same machine
/// announcing the same host name and addresses, or our own packets looped back).
/// </summary>
internal static class MdnsConflicts
{
    /// <summary>
    /// Whether <paramref name="theirs"/>, seen in a response, disputes one of our unique records:
    /// our instance name with another SRV or TXT, or our host name with an address that is none of
    /// ours (<paramref name="isOurs"/> knows the addresses of every interface, so our own records
    /// heard on another interface of the same LAN do not count).
    /// </summary>
    public static ConflictKind Check(ResourceRecord theirs, ServiceRecords ours, Func<IPAddress, bool> isOurs)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(isOurs);
        if (theirs.TTL == TimeSpan.Zero || ((ushort)theirs.Class & ~ServiceRecords.TopBit) != (ushort)DnsClass.IN) return ConflictKind.None;
        if (theirs.Name == ours.InstanceName)
        {
            var mine = theirs.Type switch
            {
                DnsType.SRV => ours.Srv(TtlMode.Normal),
                DnsType.TXT => ours.Txt(TtlMode.Normal),
                _ => null,
            };
            return mine is not null && !SameData(mine, theirs) ? ConflictKind.Instance : ConflictKind.None;
        }
        if (theirs.Name == ours.HostName && theirs is AddressRecord address)
        {
            return isOurs(address.Address) ? ConflictKind.None : ConflictKind.Host;
        }
        return ConflictKind.None;
    }

    /// <summary>
    /// RFC 6762 §8.2, two hosts probing for the same name at once: each side's records for the
    /// name, sorted, are compared (class without the top bit, then type, then raw rdata) and the
    /// lexicographically later set wins. Negative: ours lose, and we must wait a second and probe
    /// again. Zero: identical (e.g. our own probe looped back).
    /// </summary>
    public static int CompareProbes(IEnumerable<ResourceRecord> ours, IEnumerable<ResourceRecord> theirs)
    {
        var a = ours.OrderBy(r => r, RecordOrder.Instance).ToList();
        var b = theirs.OrderBy(r => r, RecordOrder.Instance).ToList();
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            int c = RecordOrder.Instance.Compare(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Count.CompareTo(b.Count);
    }

    /// <summary>Same name, type, class (top bit aside) and data; the TTL does not matter.</summary>
    public static bool SameRecord(ResourceRecord a, ResourceRecord b) =>
        a.Type == b.Type && a.Name == b.Name
        && ((ushort)a.Class & ~ServiceRecords.TopBit) == ((ushort)b.Class & ~ServiceRecords.TopBit)
        && SameData(a, b);

    private static bool SameData(ResourceRecord a, ResourceRecord b) => a.GetData().AsSpan().SequenceEqual(b.GetData());

    private sealed class RecordOrder : IComparer<ResourceRecord>
    {
        public static readonly RecordOrder Instance = new();

        public int Compare(ResourceRecord? x, ResourceRecord? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            int c = ((ushort)x.Class & ~ServiceRecords.TopBit).CompareTo((ushort)y.Class & ~ServiceRecords.TopBit);
            if (c == 0) c = ((ushort)x.Type).CompareTo((ushort)y.Type);
            return c != 0 ? c : x.GetData().AsSpan().SequenceCompareTo(y.GetData());
        }
    }
}
