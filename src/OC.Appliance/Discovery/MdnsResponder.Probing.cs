using Makaretu.Dns;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;
using OC.Protocol.Discovery;

namespace OC.Appliance.Discovery;

internal sealed partial class MdnsResponder
{
    private const int ProbeCount = 3;
    private const int AnnouncementCount = 2;
    private const int MaxConflictsPerWindow = 15;
    private const DnsType AnyType = (DnsType)255;
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LostTiebreakWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ConflictWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConflictBackoff = TimeSpan.FromSeconds(5);

    private readonly Queue<long> _conflicts = new();
    private bool _reportedReady;

    // RFC 6762 §8.1: three probes 250 ms apart, each asking "who has these names?" (type ANY, QU
    // bit) with the records we propose in the authority section; no conflicting answer within
    // 250 ms of the last one, and the names are ours.
    private void StartProbing(Link link, TimeSpan delay)
    {
        link.Timer?.Cancel();
        link.Phase = Phase.Probing;
        link.Step = 0;
        link.Timer = _loop.AddTimer(delay, () => ProbeStep(link));
    }

    private void ProbeStep(Link link)
    {
        if (!IsCurrent(link) || link.Phase != Phase.Probing) return;
        if (link.Step == ProbeCount)
        {
            StartAnnouncing(link);
            return;
        }
        link.Step++;
        _transport.Multicast(Probe(link.Records).ToByteArray(), link.Info.Index);
        link.Timer = _loop.AddTimer(ProbeInterval, () => ProbeStep(link));
    }

    internal static Message Probe(ServiceRecords records)
    {
        var probe = new Message();
        var qu = (DnsClass)((ushort)DnsClass.IN | ServiceRecords.TopBit);
        probe.Questions.Add(new Question { Name = records.InstanceName, Type = AnyType, Class = qu });
        probe.Questions.Add(new Question { Name = records.HostName, Type = AnyType, Class = qu });
        foreach (var record in records.Unique(TtlMode.Normal))
        {
            record.Class = DnsClass.IN; // No cache-flush bit in a probe's authority section.
            probe.AuthorityRecords.Add(record);
        }
        return probe;
    }

    // RFC 6762 §8.3: at least two unsolicited responses with every record, one second apart.
    private void StartAnnouncing(Link link)
    {
        link.Timer?.Cancel();
        link.Phase = Phase.Announcing;
        link.Step = 0;
        AnnounceStep(link);
    }

    private void AnnounceStep(Link link)
    {
        if (!IsCurrent(link) || link.Phase != Phase.Announcing) return;
        _transport.Multicast(ServiceRecords.Response(link.Records.All(TtlMode.Normal)).ToByteArray(), link.Info.Index);
        if (++link.Step < AnnouncementCount)
        {
            link.Timer = _loop.AddTimer(AnnounceInterval, () => AnnounceStep(link));
            return;
        }
        link.Phase = Phase.Ready;
        link.Timer = null;
        if (!_reportedReady && _links.Values.All(l => l.Phase == Phase.Ready))
        {
            _reportedReady = true;
            Log.Info("mdns.announced", $"'{_names.Instance}' ({DnsSdNames.ServiceType}) at {_names.Host}.local port {_service.Port} on {string.Join(", ", _links.Values.Select(l => l.Info.ToString()))}");
        }
    }

    /// <summary>
    /// Another device claims one of our names. While probing, the name is not ours yet: take the
    /// next one (RFC 6762 §9 "name (2)"). Once announced, probe again with the same name (§9),
    /// which renames if the other device is still there.
    /// </summary>
    private void OnConflict(Link link, ConflictKind kind, ResourceRecord theirs)
    {
        if (link.Phase != Phase.Probing)
        {
            Log.Warn("mdns.conflict", $"another device on {link.Info.Name} answers for {theirs.Name} ({theirs.Type}); probing again");
            var again = NextProbeDelay();
            foreach (var each in _links.Values) StartProbing(each, again);
            return;
        }
        var old = _names;
        _names = kind == ConflictKind.Instance ? old.WithNextInstance() : old.WithNextHost();
        Log.Warn("mdns.renamed", kind == ConflictKind.Instance
            ? $"the name '{old.Instance}' is taken on the LAN ({link.Info.Name}); now '{_names.Instance}'"
            : $"the host name {old.Host}.local is taken on the LAN ({link.Info.Name}); now {_names.Host}.local");
        _reportedReady = false;

        var delay = NextProbeDelay();
        foreach (var each in _links.Values)
        {
            if (each.Phase != Phase.Probing) SendGoodbye(each, each.Records.All(TtlMode.Goodbye));
            each.Records = Records(each.Info);
            StartProbing(each, delay);
        }
    }

    // §8.1: after 15 conflicts within 10 s, wait 5 s before the next probe (this also keeps a
    // conflict that never goes away from flooding the link and the log).
    private TimeSpan NextProbeDelay()
    {
        long now = _loop.Time.NowMs();
        _conflicts.Enqueue(now);
        while (_conflicts.Count > 0 && now - _conflicts.Peek() > (long)ConflictWindow.TotalMilliseconds) _conflicts.Dequeue();
        return _conflicts.Count >= MaxConflictsPerWindow ? ConflictBackoff : TimeSpan.Zero;
    }

    private bool IsCurrent(Link link) => !_stopped && _links.TryGetValue(link.Info.Index, out var current) && ReferenceEquals(current, link);
}
