using System.Diagnostics;
using System.Net;
using Makaretu.Dns;
using OC.Appliance.Discovery;
using OC.Appliance.Net;
using OC.Protocol.Discovery;
using OC.Tests.Support;

namespace OC.Tests.Discovery;

/// <summary>The responder's life on a real event loop, with a transport that only records what would be sent.</summary>
public sealed class MdnsResponderTests : IDisposable
{
    private static readonly IPAddress Own = IPAddress.Parse("192.0.2.1");
    private readonly EventLoop _loop = new(EventLoop.CreatePoller("select"));
    private readonly RecordingTransport _transport = new();
    private readonly LinkInfo _link = new(7, "test0", [new LinkAddress(Own, 24)], []);

    // A tick, so that RunOnce returns even when the responder has no timer left.
    public MdnsResponderTests() => _loop.AddTimer(TimeSpan.FromMilliseconds(20), () => { }, TimeSpan.FromMilliseconds(20));

    public void Dispose() => _loop.Dispose();

    private MdnsResponder Start(string name = "Office") =>
        MdnsResponder.StartOn(_loop, _transport, new MdnsNames(name, "pi"), new ServiceInfo(6677, 6678, "0123456789abcdef0123456789abcdef"),
            () => new LinkScan([_link], new HashSet<IPAddress> { Own }));

    /// <summary>
    /// Runs the loop until <paramref name="done"/> holds, looking after every iteration: what the
    /// responder sends is recorded as it happens, so this waits for the thing itself, however late
    /// its timers fire on a busy machine. They are real time (probes 250 ms apart, announcements
    /// 1 s apart), so this takes about two seconds; with a fake clock in the loop it would not.
    /// </summary>
    private void RunUntil(Func<bool> done, string waitingFor)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > Eventually.Deadline) Assert.Fail($"{waitingFor}: not within {Eventually.Deadline.TotalSeconds:0} s; sent {_transport.Packets.Count} packets");
            _loop.RunOnce();
        }
    }

    private List<Message> Sent() => _transport.Packets.Select(p => Parse(p.Packet)).ToList();

    /// <summary>Both announcements are out: the responder is done with this link until something changes.</summary>
    private bool Announced() => Sent().Count(m => m.IsResponse) >= 2;

    private static Message Parse(byte[] packet)
    {
        Assert.True(MdnsPacket.TryRead(packet, packet.Length, out var message));
        return message;
    }

    [Fact]
    public void It_probes_three_times_then_announces_twice_and_says_goodbye_when_stopped()
    {
        var responder = Start();
        RunUntil(Announced, "two announcements");

        var sent = Sent();
        Assert.Equal([true, true, true, false, false], sent.Select(m => m.IsQuery));
        Assert.All(_transport.Packets, p => Assert.Equal(7, p.InterfaceIndex));
        Assert.All(sent.Take(3), probe => Assert.Equal(3, probe.AuthorityRecords.Count));
        Assert.Contains(sent[3].Answers, r => r is PTRRecord { DomainName.Labels: ["Office", "_oc", "_tcp", "local"] });
        Assert.Contains(sent[3].Answers, r => r is PTRRecord p && p.Name == new DomainName("_services", "_dns-sd", "_udp", "local"));

        responder.Stop();
        var goodbye = Sent()[^1];
        Assert.True(goodbye.IsResponse);
        Assert.NotEmpty(goodbye.Answers);
        Assert.All(goodbye.Answers, r => Assert.Equal(TimeSpan.Zero, r.TTL));
    }

    [Fact]
    public void A_conflicting_answer_while_probing_renames_the_instance_and_probes_the_new_name()
    {
        var responder = Start();
        RunUntil(() => _transport.Packets.Count > 0, "the first probe");

        var theirs = new Message { QR = true, AA = true };
        theirs.Answers.Add(new SRVRecord { Name = new DomainName("Office", "_oc", "_tcp", "local"), Port = 9999, Target = new DomainName("laptop", "local") });
        byte[] bytes = theirs.ToByteArray();
        responder.OnPacket(bytes, bytes.Length, new IPEndPoint(IPAddress.Parse("192.0.2.50"), 5353), 7, DnsSdNames.MulticastGroup);

        Assert.Equal("Office (2)", responder.Names.Instance);
        _transport.Packets.Clear();
        RunUntil(() => Sent().Any(m => m.IsResponse), "an announcement of the new name");
        var announcement = Sent().First(m => m.IsResponse);
        Assert.Contains(announcement.Answers, r => r is SRVRecord s && s.Name.Labels[0] == "Office (2)");
    }

    [Fact]
    public void Queries_are_answered_only_once_the_names_are_announced()
    {
        var responder = Start();
        var query = new Message { Id = 99 };
        query.Questions.Add(new Question { Name = new DomainName("_oc", "_tcp", "local"), Type = DnsType.PTR });
        byte[] bytes = query.ToByteArray();
        var dig = new IPEndPoint(IPAddress.Parse("192.0.2.9"), 41000);

        responder.OnPacket(bytes, bytes.Length, dig, 7, Own); // still probing: silence
        Assert.DoesNotContain(_transport.Packets, p => p.To is not null);

        RunUntil(Announced, "two announcements");
        responder.OnPacket(bytes, bytes.Length, dig, 7, Own);
        var answer = Assert.Single(_transport.Packets, p => p.To is not null);
        Assert.Equal(dig, answer.To);
        Assert.Equal(99, Parse(answer.Packet).Id);

        // From off the link, a unicast query is not answered (RFC 6762 §11).
        responder.OnPacket(bytes, bytes.Length, new IPEndPoint(IPAddress.Parse("203.0.113.5"), 41000), 7, Own);
        Assert.Single(_transport.Packets, p => p.To is not null);
    }

    [Fact]
    public void An_interface_that_goes_away_is_left_and_a_new_one_is_probed()
    {
        var responder = Start();
        RunUntil(Announced, "two announcements");
        var other = new LinkInfo(9, "wlan0", [new LinkAddress(IPAddress.Parse("198.51.100.4"), 24)], []);

        responder.ApplyLinks(new LinkScan([other], new HashSet<IPAddress> { other.IPv4[0].Address }));
        Assert.Equal([7], _transport.Left);
        _transport.Packets.Clear();
        RunUntil(Announced, "two announcements on the new interface");
        Assert.All(_transport.Packets, p => Assert.Equal(9, p.InterfaceIndex));
        Assert.Contains(Sent(), m => m.IsResponse && m.Answers.OfType<ARecord>().Any(a => a.Address.Equals(other.IPv4[0].Address)));
    }

    private sealed class RecordingTransport : IMdnsTransport
    {
        public List<(byte[] Packet, int? InterfaceIndex, IPEndPoint? To)> Packets { get; } = [];
        public List<int> Left { get; } = [];

        public bool Join(int interfaceIndex) => true;

        public void Leave(int interfaceIndex) => Left.Add(interfaceIndex);

        public void Multicast(byte[] packet, int interfaceIndex) => Packets.Add((packet, interfaceIndex, null));

        public void Unicast(byte[] packet, IPEndPoint destination) => Packets.Add((packet, null, destination));
    }
}
