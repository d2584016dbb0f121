using System.Net;
using Makaretu.Dns;
using OC.Appliance.Diagnostics;
using OC.Appliance.Net;
using OC.Protocol.Discovery;

namespace OC.Appliance.Discovery;

internal sealed partial class MdnsResponder
{
    private static readonly long AnswerIntervalMs = 1000;
    private static readonly long ProbeAnswerIntervalMs = 250;
    private long _malformed;

    /// <summary>Datagrams that could not be parsed (for the log; they are dropped).</summary>
    public long MalformedPackets => _malformed;

    /// <summary>Loop thread: one datagram from the mDNS socket.</summary>
    internal void OnPacket(byte[] buffer, int length, IPEndPoint source, int interfaceIndex, IPAddress destination)
    {
        if (_stopped) return;
        bool viaUnicast = !destination.Equals(DnsSdNames.MulticastGroup);
        var link = FindLink(interfaceIndex, viaUnicast ? destination : null);
        if (link is null) return;
        // RFC 6762 §11: a query sent to our unicast address from off the link gets no answer.
        if (viaUnicast && !link.Info.IsOnLink(source.Address) && !_localAddresses.Contains(source.Address)) return;
        if (!MdnsPacket.TryRead(buffer, length, out var message))
        {
            if (_malformed++ == 0) Log.Debug("mdns.malformed", $"dropped an unreadable datagram from {source} (further ones are dropped silently)");
            return;
        }
        if (message.IsQuery)
        {
            OnQuery(link, message, source, viaUnicast);
        }
        else if (source.Port == DnsSdNames.MdnsPort)
        {
            // §11: responses from any other port are not mDNS responses and are ignored.
            OnResponse(link, message);
        }
    }

    private Link? FindLink(int interfaceIndex, IPAddress? destination)
    {
        if (_links.TryGetValue(interfaceIndex, out var link)) return link;
        // A unicast query that came in on another interface (e.g. `dig @OUR-ADDRESS` run on this
        // machine arrives on lo): the link that has the address it was sent to.
        return destination is null ? null : _links.Values.FirstOrDefault(l => l.Info.Has(destination));
    }

    private void OnQuery(Link link, Message query, IPEndPoint source, bool viaUnicast)
    {
        if (link.Phase == Phase.Probing)
        {
            // The names are not ours yet: answer nothing, but another host's probe for them may win.
            CheckSimultaneousProbe(link, query);
            return;
        }
        var reply = MdnsAnswerer.Answer(query, source, viaUnicast, link.Records);
        if (reply is null) return;
        if (reply.UnicastTo is { } destination)
        {
            _transport.Unicast(reply.Message.ToByteArray(), destination);
            return;
        }
        bool probe = query.AuthorityRecords.Count > 0;
        if (!reply.Delay)
        {
            MulticastAnswer(link, reply.Message, probe);
            return;
        }
        // §6: answers with shared records wait 20–120 ms, so many responders do not answer at once.
        _loop.AddTimer(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 121)), () =>
        {
            if (IsCurrent(link) && link.Phase != Phase.Probing) MulticastAnswer(link, reply.Message, probe);
        });
    }

    private void MulticastAnswer(Link link, Message answer, bool probe)
    {
        byte[] bytes = answer.ToByteArray();
        long now = _loop.Time.NowMs();
        // §6: not the same records again on this interface within a second (250 ms to defend against a probe).
        if (link.LastAnswer is { } last && now - link.LastAnswerMs < (probe ? ProbeAnswerIntervalMs : AnswerIntervalMs) && last.AsSpan().SequenceEqual(bytes)) return;
        link.LastAnswer = bytes;
        link.LastAnswerMs = now;
        _transport.Multicast(bytes, link.Info.Index);
    }

    // §8.2: another host probes for one of our names while we do. Its proposed records are
    // compared with ours; if ours lose, wait a second and probe again (then its announcement
    // will show the conflict, and we rename). Our own probe looped back compares equal.
    private void CheckSimultaneousProbe(Link link, Message query)
    {
        if (query.AuthorityRecords.Count == 0) return;
        var ours = link.Records.Unique(TtlMode.Normal);
        foreach (var name in new[] { link.Records.InstanceName, link.Records.HostName })
        {
            var theirs = query.AuthorityRecords.Where(r => r.Name == name).ToList();
            if (theirs.Count == 0 || theirs.TrueForAll(r => IsOwnRecord(link, ours, r))) continue;
            if (MdnsConflicts.CompareProbes(ours.Where(r => r.Name == name), theirs) < 0)
            {
                Log.Debug("mdns.probe_deferred", $"another host on {link.Info.Name} probes for {name} too and wins the tie-break; probing again in 1 s");
                StartProbing(link, LostTiebreakWait);
                return;
            }
        }
    }

    private bool IsOwnRecord(Link link, List<ResourceRecord> ours, ResourceRecord record) =>
        ours.Exists(r => MdnsConflicts.SameRecord(r, record))
        || (record is AddressRecord address && record.Name == link.Records.HostName && _localAddresses.Contains(address.Address));

    private void OnResponse(Link link, Message response)
    {
        foreach (var record in response.Answers.Concat(response.AdditionalRecords))
        {
            var kind = MdnsConflicts.Check(record, link.Records, IsLocal);
            if (kind == ConflictKind.None) continue;
            OnConflict(link, kind, record);
            return;
        }
    }

    private bool IsLocal(IPAddress address) => _localAddresses.Contains(address) || _links.Values.Any(l => l.Info.Has(address));
}
