using System.Net;
using Makaretu.Dns;
using OC.Appliance.Discovery;

namespace OC.Fuzz.Targets;

/// <summary>
/// The appliance's mDNS receive path without sockets: MdnsPacket.TryRead on a datagram (Makaretu.Dns
/// parses it, instrumented too), then what MdnsResponder.OnPacket does with it: a query goes to
/// MdnsAnswerer (asked from the mDNS port and from a legacy one-shot port), the proposed records of a
/// probe are compared with ours (MdnsConflicts.CompareProbes), and every record of a response is
/// checked for a conflict (MdnsConflicts.Check). Checks: nothing throws; whatever the answerer
/// builds is a datagram that MdnsPacket reads back; parsing stays within its allocation budget.
/// </summary>
internal sealed class MdnsTarget : FuzzTarget
{
    private static readonly ServiceRecords Records = new(
        new MdnsNames("Office Pi", "pi"), new ServiceInfo(6677, 6678, "00112233445566778899aabbccddeeff"),
        [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("fe80::1")]);
    private static readonly IPEndPoint MdnsPeer = new(IPAddress.Parse("192.0.2.7"), 5353);
    private static readonly IPEndPoint LegacyPeer = new(IPAddress.Parse("192.0.2.7"), 40000);

    // Makaretu.Dns builds a Message, lists, a reader over a MemoryStream, and for every label of
    // every name it reads 400 to 800 bytes (more in longer names), however often a compression
    // pointer repeats it. DnsLayout lets a datagram make it read 16 labels and one for every two
    // bytes, so 800 × (16 + length / 2): 32 KiB and 512 a byte (the first budget, 128 a byte,
    // was below what Makaretu.Dns spends on a name of one-byte labels written out in full).
    private static readonly AllocationBudget Budget = new("MdnsPacket.TryRead", 32 * 1024, 512);

    private readonly byte[] _datagram = new byte[MdnsPacket.MaxBytes];

    public override string Name => "mdns";
    public override string Description => "MdnsPacket.TryRead + MdnsAnswerer/MdnsConflicts on one datagram; answers read back";

    public override void Run(ReadOnlySpan<byte> input)
    {
        // The socket receives into a MaxBytes buffer: a longer datagram is cut there.
        int length = Math.Min(input.Length, _datagram.Length);
        input[..length].CopyTo(_datagram);

        long start = Budget.Start();
        bool read = MdnsPacket.TryRead(_datagram, length, out var message);
        Budget.Stop(start, length);
        if (!read) return;

        if (message.IsQuery)
        {
            foreach (var (peer, unicast) in new[] { (MdnsPeer, false), (MdnsPeer, true), (LegacyPeer, false) })
            {
                var reply = MdnsAnswerer.Answer(message, peer, unicast, Records);
                if (reply is null) continue;
                byte[] bytes = reply.Message.ToByteArray();
                Check.That(MdnsPacket.TryRead(bytes, bytes.Length, out var again) && again.IsResponse, "our answer to a query does not read back as a response");
            }
            foreach (var name in new[] { Records.InstanceName, Records.HostName })
            {
                var theirs = message.AuthorityRecords.Where(r => r.Name == name).ToList();
                if (theirs.Count > 0) MdnsConflicts.CompareProbes(Records.Unique(TtlMode.Normal).Where(r => r.Name == name), theirs);
            }
        }
        else
        {
            foreach (var record in message.Answers.Concat(message.AdditionalRecords))
                MdnsConflicts.Check(record, Records, address => address.Equals(IPAddress.Parse("192.0.2.1")));
        }
    }

    public override IEnumerable<(string, byte[])> Seeds()
    {
        // The queries and answers of the discovery tests: PTR for the service type (QM and QU),
        // SRV/TXT for the instance, A/AAAA for the host, a probe, our own announcement, a goodbye.
        Message Query(DomainName name, DnsType type, bool qu = false)
        {
            var q = new Message();
            q.Questions.Add(new Question { Name = name, Type = type, Class = qu ? (DnsClass)0x8001 : DnsClass.IN });
            return q;
        }
        var probe = Query(Records.InstanceName, DnsType.ANY, qu: true);
        probe.AuthorityRecords.Add(Records.Srv(TtlMode.Normal));
        var known = Query(MdnsNames.ServiceType, DnsType.PTR);
        known.Answers.Add(Records.ServicePointer(TtlMode.Normal));
        (string, Message)[] messages =
        [
            ("query-ptr", Query(MdnsNames.ServiceType, DnsType.PTR)),
            ("query-ptr-qu", Query(MdnsNames.ServiceType, DnsType.PTR, qu: true)),
            ("query-services", Query(MdnsNames.ServiceEnumeration, DnsType.PTR)),
            ("query-srv", Query(Records.InstanceName, DnsType.SRV)),
            ("query-txt", Query(Records.InstanceName, DnsType.TXT)),
            ("query-a", Query(Records.HostName, DnsType.A)),
            ("query-aaaa", Query(Records.HostName, DnsType.AAAA)),
            ("query-known-answer", known),
            ("probe", probe),
            ("announcement", ServiceRecords.Response(Records.All(TtlMode.Normal))),
            ("goodbye", ServiceRecords.Response(Records.All(TtlMode.Goodbye))),
            ("conflict", ServiceRecords.Response([new ARecord { Name = Records.HostName, Address = IPAddress.Parse("192.0.2.99"), Class = (DnsClass)0x8001 }])),
        ];
        foreach (var (name, m) in messages) yield return (name, m.ToByteArray());
    }
}
