using System.Net;
using System.Text;
using Makaretu.Dns;
using OC.Appliance.Discovery;

namespace OC.Tests.Discovery;

/// <summary>Names, renaming on conflict (RFC 6762 §9) and which records conflict, without sockets.</summary>
public sealed class MdnsNamesTests
{
    [Theory]
    [InlineData("Office", "Office (2)")]
    [InlineData("Office (2)", "Office (3)")]
    [InlineData("Office (9)", "Office (10)")]
    [InlineData("Office (1)", "Office (1) (2)")]
    [InlineData("(2)", "(2) (2)")]
    public void A_taken_instance_name_gets_the_next_number(string name, string next)
    {
        Assert.Equal(next, MdnsNames.NextInstance(name));
    }

    [Theory]
    [InlineData("pi", "pi-2")]
    [InlineData("pi-2", "pi-3")]
    [InlineData("oc-appliance", "oc-appliance-2")]
    public void A_taken_host_name_gets_the_next_number(string host, string next)
    {
        Assert.Equal(next, MdnsNames.NextHost(host));
    }

    [Fact]
    public void Names_stay_within_63_bytes_of_UTF8_cut_at_a_character()
    {
        string longName = string.Concat(Enumerable.Repeat("é", 40)); // 80 bytes
        var names = new MdnsNames(longName, "pi");
        Assert.True(Encoding.UTF8.GetByteCount(names.Instance) <= 63);
        Assert.Equal(31, names.Instance.Length);

        string renamed = MdnsNames.NextInstance(names.Instance);
        Assert.True(Encoding.UTF8.GetByteCount(renamed) <= 63);
        Assert.EndsWith(" (2)", renamed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("raspberrypi", "raspberrypi")]
    [InlineData("build.example.org", "build")]
    [InlineData("my_host!", "myhost")]
    [InlineData("", "oc-appliance")]
    public void The_host_label_comes_from_the_machine_name(string machine, string label)
    {
        Assert.Equal(label, MdnsNames.HostLabel(machine));
    }

    [Fact]
    public void Another_SRV_for_our_instance_name_is_a_conflict_the_same_one_is_not()
    {
        var ours = MdnsAnswererTests.Records();
        var same = ours.Srv(TtlMode.Normal);
        var other = new SRVRecord { Name = ours.InstanceName, Port = 7000, Target = new DomainName("laptop", "local") };

        Assert.Equal(ConflictKind.None, MdnsConflicts.Check(same, ours, _ => false));
        Assert.Equal(ConflictKind.Instance, MdnsConflicts.Check(other, ours, _ => false));
        other.TTL = TimeSpan.Zero; // a goodbye claims nothing
        Assert.Equal(ConflictKind.None, MdnsConflicts.Check(other, ours, _ => false));
    }

    [Fact]
    public void Another_address_for_our_host_name_is_a_conflict_unless_it_is_one_of_ours()
    {
        var ours = MdnsAnswererTests.Records();
        var foreign = AddressRecord.Create(ours.HostName, IPAddress.Parse("192.0.2.50"));
        var ownOtherInterface = AddressRecord.Create(ours.HostName, IPAddress.Parse("198.51.100.1"));
        bool IsOurs(IPAddress a) => a.Equals(IPAddress.Parse("198.51.100.1"));

        Assert.Equal(ConflictKind.Host, MdnsConflicts.Check(foreign, ours, IsOurs));
        Assert.Equal(ConflictKind.None, MdnsConflicts.Check(ownOtherInterface, ours, IsOurs));
    }

    [Fact]
    public void Simultaneous_probes_are_decided_by_comparing_the_records_and_identical_ones_tie()
    {
        var ours = MdnsAnswererTests.Records().Unique(TtlMode.Normal).Where(r => r.Type == DnsType.A).ToList();
        var lower = new List<ResourceRecord> { AddressRecord.Create(new DomainName("pi", "local"), IPAddress.Parse("192.0.2.0")) };
        var higher = new List<ResourceRecord> { AddressRecord.Create(new DomainName("pi", "local"), IPAddress.Parse("192.0.2.200")) };

        Assert.True(MdnsConflicts.CompareProbes(ours, lower) > 0);   // we win: carry on
        Assert.True(MdnsConflicts.CompareProbes(ours, higher) < 0);  // we lose: wait 1 s, probe again
        Assert.Equal(0, MdnsConflicts.CompareProbes(ours, MdnsAnswererTests.Records().Unique(TtlMode.Normal).Where(r => r.Type == DnsType.A)));
    }

    [Fact]
    public void The_on_link_check_accepts_the_subnet_and_link_local_only()
    {
        var link = new LinkInfo(2, "eth0", [new LinkAddress(IPAddress.Parse("192.168.1.20"), 24)], []);
        Assert.True(link.IsOnLink(IPAddress.Parse("192.168.1.77")));
        Assert.True(link.IsOnLink(IPAddress.Parse("169.254.3.4")));
        Assert.True(link.IsOnLink(IPAddress.Parse("fe80::1")));
        Assert.False(link.IsOnLink(IPAddress.Parse("192.168.2.77")));
        Assert.False(link.IsOnLink(IPAddress.Parse("8.8.8.8")));
    }
}
