using System.Net;
using Makaretu.Dns;
using OC.Appliance.Discovery;

namespace OC.Tests.Discovery;

/// <summary>The responder's answers, without sockets: which records come back, and how.</summary>
public sealed class MdnsAnswererTests
{
    private static readonly IPEndPoint MdnsPeer = new(IPAddress.Parse("192.0.2.7"), 5353);
    private static readonly IPEndPoint LegacyPeer = new(IPAddress.Parse("192.0.2.7"), 40000);

    internal static ServiceRecords Records(int? httpPort = 6678, params string[] addresses) =>
        new(new MdnsNames("Office Pi", "pi"), new ServiceInfo(6677, httpPort, "00112233445566778899aabbccddeeff"),
            (addresses.Length == 0 ? ["192.0.2.1"] : addresses).Select(IPAddress.Parse).ToList());

    private static Message Query(string name, DnsType type, bool qu = false, ushort id = 0)
    {
        var query = new Message { Id = id };
        query.Questions.Add(new Question
        {
            Name = new DomainName(name.Split('.')),
            Type = type,
            Class = qu ? (DnsClass)0x8001 : DnsClass.IN,
        });
        return query;
    }

    private static Message RoundTrip(Message message)
    {
        var bytes = message.ToByteArray();
        Assert.True(MdnsPacket.TryRead(bytes, bytes.Length, out var read));
        return read;
    }

    [Fact]
    public void A_PTR_query_for_the_service_type_gets_the_instance_and_the_records_to_resolve_it()
    {
        var reply = MdnsAnswerer.Answer(Query("_oc._tcp.local", DnsType.PTR), MdnsPeer, viaUnicast: false, Records());

        Assert.NotNull(reply);
        Assert.Null(reply.UnicastTo);   // multicast
        Assert.True(reply.Delay);       // shared record: 20-120 ms (RFC 6762 §6)
        var message = RoundTrip(reply.Message);
        Assert.True(message.IsResponse);
        Assert.True(message.AA);
        Assert.Equal(0, message.Id);
        Assert.Empty(message.Questions);
        var ptr = Assert.IsType<PTRRecord>(Assert.Single(message.Answers));
        Assert.Equal(["Office Pi", "_oc", "_tcp", "local"], ptr.DomainName.Labels);
        Assert.Equal(TimeSpan.FromMinutes(75), ptr.TTL);
        Assert.Equal(DnsClass.IN, ptr.Class); // shared: no cache-flush bit

        var srv = Assert.Single(message.AdditionalRecords.OfType<SRVRecord>());
        Assert.Equal(6677, srv.Port);
        Assert.Equal(["pi", "local"], srv.Target.Labels);
        Assert.Equal((DnsClass)0x8001, srv.Class); // unique: cache-flush
        var txt = Assert.Single(message.AdditionalRecords.OfType<TXTRecord>());
        Assert.Equal(["v=1", "http=6678", "id=00112233445566778899aabbccddeeff"], txt.Strings);
        var a = Assert.Single(message.AdditionalRecords.OfType<ARecord>());
        Assert.Equal(IPAddress.Parse("192.0.2.1"), a.Address);
        Assert.Equal(TimeSpan.FromSeconds(120), a.TTL);
    }

    [Fact]
    public void Without_a_status_page_the_TXT_record_has_no_http_key()
    {
        var reply = MdnsAnswerer.Answer(Query("Office Pi._oc._tcp.local", DnsType.TXT), MdnsPeer, false, Records(httpPort: null));
        var txt = Assert.IsType<TXTRecord>(Assert.Single(RoundTrip(reply!.Message).Answers));
        Assert.Equal(["v=1", "id=00112233445566778899aabbccddeeff"], txt.Strings);
    }

    [Fact]
    public void Service_enumeration_lists_the_service_type()
    {
        var reply = MdnsAnswerer.Answer(Query("_services._dns-sd._udp.local", DnsType.PTR), MdnsPeer, false, Records());
        var ptr = Assert.IsType<PTRRecord>(Assert.Single(RoundTrip(reply!.Message).Answers));
        Assert.Equal(["_oc", "_tcp", "local"], ptr.DomainName.Labels);
    }

    [Fact]
    public void A_legacy_query_from_another_port_gets_a_unicast_DNS_answer_with_its_id_and_question_and_short_TTLs()
    {
        var reply = MdnsAnswerer.Answer(Query("_oc._tcp.local", DnsType.PTR, id: 4242), LegacyPeer, false, Records());

        Assert.Equal(LegacyPeer, reply!.UnicastTo);
        Assert.False(reply.Delay);
        var message = RoundTrip(reply.Message);
        Assert.Equal(4242, message.Id);
        var question = Assert.Single(message.Questions);
        Assert.Equal(["_oc", "_tcp", "local"], question.Name.Labels);
        Assert.All(message.Answers.Concat(message.AdditionalRecords), r =>
        {
            Assert.True(r.TTL <= TimeSpan.FromSeconds(10), $"{r.Type} TTL {r.TTL}");
            Assert.Equal(DnsClass.IN, r.Class); // §6.7: never the cache-flush bit
        });
    }

    [Fact]
    public void A_QU_question_is_answered_by_unicast_to_port_5353_with_full_TTLs()
    {
        var reply = MdnsAnswerer.Answer(Query("pi.local", DnsType.A, qu: true), MdnsPeer, false, Records());

        Assert.Equal(MdnsPeer, reply!.UnicastTo);
        var a = Assert.IsType<ARecord>(Assert.Single(RoundTrip(reply.Message).Answers));
        Assert.Equal(TimeSpan.FromSeconds(120), a.TTL);
    }

    [Fact]
    public void A_query_sent_to_our_unicast_address_from_port_5353_is_answered_by_unicast()
    {
        var reply = MdnsAnswerer.Answer(Query("Office Pi._oc._tcp.local", DnsType.SRV), MdnsPeer, viaUnicast: true, Records());
        Assert.Equal(MdnsPeer, reply!.UnicastTo);
    }

    [Fact]
    public void An_A_query_for_the_host_answers_every_address_of_the_interface_and_adds_the_AAAA_records()
    {
        var reply = MdnsAnswerer.Answer(Query("PI.local", DnsType.A), MdnsPeer, false, Records(6678, "192.0.2.1", "192.0.2.9", "fd00::1"));

        var message = RoundTrip(reply!.Message);
        Assert.False(reply.Delay); // unique records only: at once
        Assert.Equal(["192.0.2.1", "192.0.2.9"], message.Answers.OfType<ARecord>().Select(a => a.Address.ToString()));
        Assert.Equal("fd00::1", Assert.Single(message.AdditionalRecords.OfType<AAAARecord>()).Address.ToString());
    }

    [Fact]
    public void An_AAAA_query_on_an_IPv4_only_interface_gets_NSEC_saying_there_is_none()
    {
        var reply = MdnsAnswerer.Answer(Query("pi.local", DnsType.AAAA), MdnsPeer, false, Records());

        var message = RoundTrip(reply!.Message);
        var nsec = Assert.IsType<NSECRecord>(Assert.Single(message.Answers));
        Assert.Equal([DnsType.A], nsec.Types);
    }

    [Theory]
    [InlineData("_http._tcp.local", DnsType.PTR)]
    [InlineData("Other._oc._tcp.local", DnsType.SRV)]
    [InlineData("laptop.local", DnsType.A)]
    public void Questions_about_other_names_get_no_answer(string name, DnsType type)
    {
        Assert.Null(MdnsAnswerer.Answer(Query(name, type), MdnsPeer, false, Records()));
    }

    [Fact]
    public void A_response_or_a_non_standard_opcode_is_not_answered()
    {
        var response = Query("_oc._tcp.local", DnsType.PTR);
        response.QR = true;
        Assert.Null(MdnsAnswerer.Answer(response, MdnsPeer, false, Records()));

        var notify = Query("_oc._tcp.local", DnsType.PTR);
        notify.Opcode = MessageOperation.Notify;
        Assert.Null(MdnsAnswerer.Answer(notify, MdnsPeer, false, Records()));
    }

    [Fact]
    public void A_known_answer_with_at_least_half_the_TTL_is_not_repeated()
    {
        var records = Records();
        var fresh = Query("_oc._tcp.local", DnsType.PTR);
        fresh.Answers.Add(records.ServicePointer(TtlMode.Normal));
        Assert.Null(MdnsAnswerer.Answer(RoundTrip(fresh), MdnsPeer, false, records));

        var stale = Query("_oc._tcp.local", DnsType.PTR);
        var old = records.ServicePointer(TtlMode.Normal);
        old.TTL = TimeSpan.FromMinutes(30); // less than half of 75 minutes
        stale.Answers.Add(old);
        Assert.NotNull(MdnsAnswerer.Answer(RoundTrip(stale), MdnsPeer, false, records));
    }

    [Fact]
    public void Goodbye_records_have_TTL_0()
    {
        var goodbye = RoundTrip(ServiceRecords.Response(Records(6678, "192.0.2.1", "fd00::1").All(TtlMode.Goodbye)));

        Assert.Equal(6, goodbye.Answers.Count); // 2 PTR, SRV, TXT, A, AAAA
        Assert.All(goodbye.Answers, r => Assert.Equal(TimeSpan.Zero, r.TTL));
        Assert.Contains(goodbye.Answers, r => r is PTRRecord p && p.DomainName.Labels[0] == "Office Pi");
    }

    [Fact]
    public void A_probe_asks_for_both_names_with_the_QU_bit_and_proposes_the_unique_records()
    {
        var probe = RoundTrip(MdnsResponder.Probe(Records()));

        Assert.True(probe.IsQuery);
        Assert.Equal(2, probe.Questions.Count);
        Assert.All(probe.Questions, q =>
        {
            Assert.Equal((DnsType)255, q.Type);
            Assert.Equal((DnsClass)0x8001, q.Class);
        });
        Assert.Equal([DnsType.SRV, DnsType.TXT, DnsType.A], probe.AuthorityRecords.Select(r => r.Type));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(40)]
    public void Truncated_or_lying_datagrams_are_refused_without_throwing(int length)
    {
        var bytes = RoundTrip(MdnsResponder.Probe(Records())).ToByteArray();
        var cut = bytes.AsSpan(0, Math.Min(length, bytes.Length)).ToArray();
        Assert.False(MdnsPacket.TryRead(cut, cut.Length, out _));

        var lying = (byte[])bytes.Clone();
        lying[6] = 0xFF; // 65,000 answers in a few hundred bytes
        Assert.False(MdnsPacket.TryRead(lying, lying.Length, out _));
    }
}
