using Makaretu.Dns;
using OC.Appliance.Discovery;

namespace OC.Tests.Fuzz;

/// <summary>What the fuzz campaign found in the mDNS receive path, kept as tests.</summary>
public sealed class DiscoveryFuzzTests
{
    [Fact]
    public void A_record_announcing_more_data_than_the_datagram_holds_is_dropped_without_reserving_it()
    {
        // Found by the fuzzer: a 35-byte response whose A record says RDLENGTH 64,319. Makaretu.Dns
        // reserved the 64 KB before finding the bytes missing; now MdnsPacket walks the sections first.
        byte[] datagram = FuzzRegressions.Read("mdns", "record-data-longer-than-datagram");

        long allocated = FuzzRegressions.AllocatedBy(() => MdnsPacket.TryRead(datagram, datagram.Length, out _));

        Assert.False(MdnsPacket.TryRead(datagram, datagram.Length, out _));
        Assert.InRange(allocated, 0, 4096);
    }

    [Fact]
    public void A_query_whose_known_answers_are_cut_short_still_yields_its_questions()
    {
        var query = new Message();
        query.Questions.Add(new Question { Name = MdnsNames.ServiceType, Type = DnsType.PTR, Class = DnsClass.IN });
        query.Answers.Add(new PTRRecord { Name = MdnsNames.ServiceType, DomainName = new DomainName("Office Pi", "_oc", "_tcp", "local") });
        byte[] whole = query.ToByteArray();
        byte[] cut = whole[..^3];

        Assert.True(MdnsPacket.TryRead(cut, cut.Length, out var read));
        Assert.True(read.IsQuery);
        Assert.Equal(DnsType.PTR, Assert.Single(read.Questions).Type);
        Assert.Empty(read.Answers);
        Assert.True(MdnsPacket.TryRead(whole, whole.Length, out var full));
        Assert.Single(full.Answers);
    }

    [Fact]
    public void A_response_cut_inside_a_record_is_dropped()
    {
        byte[] whole = ServiceRecords.Response([new ARecord { Name = new DomainName("pi", "local"), Address = System.Net.IPAddress.Parse("192.0.2.1") }]).ToByteArray();

        Assert.False(MdnsPacket.TryRead(whole, whole.Length - 1, out _));
        Assert.True(MdnsPacket.TryRead(whole, whole.Length, out var read));
        Assert.Single(read.Answers);
    }
}
