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
    public void An_OPT_record_announcing_an_option_longer_than_itself_is_not_handed_to_the_parser()
    {
        // Found by the fuzzer once record lengths were checked: a 16-byte OPT record (EDNS0) whose
        // second option announced 65,535 bytes; Makaretu.Dns reserved them (64 KB) before reading.
        byte[] datagram = FuzzRegressions.Read("mdns", "opt-option-longer-than-record");

        long allocated = FuzzRegressions.AllocatedBy(() => MdnsPacket.TryRead(datagram, datagram.Length, out _));

        Assert.False(MdnsPacket.TryRead(datagram, datagram.Length, out _)); // a query with no question
        Assert.InRange(allocated, 0, 4096);
    }

    [Fact]
    public void A_record_pointing_back_at_a_long_name_is_not_parsed_when_the_datagram_cannot_explain_its_labels()
    {
        // Found by the fuzzer: a 147-byte query whose question has a name of 51 labels, and a record
        // whose owner points back at it: Makaretu.Dns spends about 500 bytes on every label of every
        // name it reads, however often a pointer repeats it (52 KB). Now the labels a datagram may
        // make it read are counted first: the question is read (25 KB), the record is not.
        byte[] datagram = FuzzRegressions.Read("mdns", "compression-pointers-repeating-a-long-name");

        long allocated = FuzzRegressions.AllocatedBy(() => MdnsPacket.TryRead(datagram, datagram.Length, out _));

        Assert.True(MdnsPacket.TryRead(datagram, datagram.Length, out var read));
        Assert.Single(read.Questions);
        Assert.Empty(read.AuthorityRecords);
        Assert.InRange(allocated, 0, 32 * 1024);
    }

    [Fact]
    public void Six_hundred_pointers_at_a_127_label_name_cost_the_parser_no_more_than_the_datagram_explains()
    {
        // The same flaw at full size: a 9,000-byte query, one question for a name of 127 labels and
        // 640 records whose owner and data point back at it. Read whole, that is 160,000 labels,
        // well over 100 MB for Makaretu.Dns; counted first, only the question is read.
        var d = new List<byte> { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        for (int i = 0; i < 127; i++) d.AddRange([1, (byte)'a']);
        d.AddRange([0, 0, 12, 0, 1]);
        int records = (MdnsPacket.MaxBytes - d.Count) / 14;
        d[10] = (byte)(records >> 8);
        d[11] = (byte)records;
        for (int i = 0; i < records; i++) d.AddRange([0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 120, 0, 2, 0xC0, 12]);
        byte[] datagram = [.. d];

        long allocated = FuzzRegressions.AllocatedBy(() => MdnsPacket.TryRead(datagram, datagram.Length, out _));

        Assert.True(MdnsPacket.TryRead(datagram, datagram.Length, out var read));
        Assert.Single(read.Questions);
        Assert.Empty(read.AdditionalRecords);
        Assert.InRange(allocated, 0, 512 * datagram.Length);
    }

    [Fact]
    public void A_name_pointing_at_itself_or_forward_is_refused()
    {
        byte[] header = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        byte[] itself = [.. header, 0xC0, 12, 0, 12, 0, 1];          // the question's name is a pointer to itself
        byte[] forward = [.. header, 0xC0, 18, 0, 12, 0, 1, 2, (byte)'p', (byte)'i', 0];

        Assert.False(MdnsPacket.TryRead(itself, itself.Length, out _));
        Assert.False(MdnsPacket.TryRead(forward, forward.Length, out _));
    }

    [Fact]
    public void Every_record_we_send_reads_back_with_room_to_spare_under_the_name_budget()
    {
        // Our own announcement and answers compress every name; they must stay far inside the budget.
        var records = OC.Tests.Discovery.MdnsAnswererTests.Records(6678, "192.0.2.1", "fe80::1");
        foreach (var message in new[] { ServiceRecords.Response(records.All(TtlMode.Normal)), ServiceRecords.Response(records.All(TtlMode.Goodbye)), MdnsResponder.Probe(records) })
        {
            byte[] bytes = message.ToByteArray();
            Assert.True(MdnsPacket.TryRead(bytes, bytes.Length, out var read));
            Assert.Equal(message.Answers.Count + message.AdditionalRecords.Count + message.AuthorityRecords.Count, read.Answers.Count + read.AdditionalRecords.Count + read.AuthorityRecords.Count);
        }
    }

    [Fact]
    public void A_legacy_answer_repeats_only_the_questions_it_answers_so_it_is_a_well_formed_datagram()
    {
        // Found by the fuzzer: a legacy (port 40000) query with five questions, one of them for
        // _oc._tcp.local and one with a label that is not UTF-8. The answer repeated all five, the
        // bad label re-encoded longer than 63 bytes: a datagram no DNS reader accepts.
        byte[] datagram = FuzzRegressions.Read("mdns", "legacy-query-with-undecodable-label");
        Assert.True(MdnsPacket.TryRead(datagram, datagram.Length, out var query));
        var legacyPeer = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.7"), 40000);

        var reply = MdnsAnswerer.Answer(query, legacyPeer, viaUnicast: false, OC.Tests.Discovery.MdnsAnswererTests.Records());

        Assert.NotNull(reply);
        byte[] bytes = reply.Message.ToByteArray();
        Assert.True(MdnsPacket.TryRead(bytes, bytes.Length, out var read));
        Assert.True(read.IsResponse);
        Assert.All(read.Questions, q => Assert.Equal(MdnsNames.ServiceType, q.Name));
        Assert.Contains(read.Answers, r => r.Type == DnsType.PTR);
    }

    [Fact]
    public void A_query_with_a_well_formed_OPT_record_is_read_whole()
    {
        // Apple devices add EDNS0 options to their queries: those must still be answered.
        var query = new Message();
        query.Questions.Add(new Question { Name = MdnsNames.ServiceType, Type = DnsType.PTR, Class = DnsClass.IN });
        query.AdditionalRecords.Add(new OPTRecord { Options = { new EdnsNSIDOption { Id = [1, 2, 3] }, new EdnsPaddingOption { Padding = new byte[8] } } });
        byte[] bytes = query.ToByteArray();

        Assert.True(MdnsPacket.TryRead(bytes, bytes.Length, out var read));
        var opt = Assert.IsType<OPTRecord>(Assert.Single(read.AdditionalRecords));
        Assert.Equal(2, opt.Options.Count);
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
