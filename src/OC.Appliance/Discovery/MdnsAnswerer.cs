using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using OC.Protocol.Discovery;

namespace OC.Appliance.Discovery;

/// <summary>
/// An answer to send: <see cref="UnicastTo"/> null means multicast on the interface the query came
/// in on; <see cref="Delay"/> asks for the random 20–120 ms wait of RFC 6762 §6 (shared records).
/// </summary>
internal sealed record MdnsReply(Message Message, IPEndPoint? UnicastTo, bool Delay);

/// <summary>
/// Answers one query from the records of the interface it came in on. No sockets, no clock:
/// what comes back, and whether by multicast or unicast, is decided here (RFC 6762 §5, §6, §7).
/// </summary>
internal static class MdnsAnswerer
{
    private const DnsType AnyType = (DnsType)255;
    private const ushort AnyClass = 255;

    /// <param name="query">The parsed query.</param>
    /// <param name="source">Where it came from; a port other than 5353 makes it a legacy unicast query (§6.7).</param>
    /// <param name="viaUnicast">It was sent to our unicast address rather than to 224.0.0.251 (§5.5).</param>
    /// <param name="records">Our records on that interface.</param>
    public static MdnsReply? Answer(Message query, IPEndPoint source, bool viaUnicast, ServiceRecords records)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(records);
        // §18.3, §18.11: only standard queries without an error code are answered.
        if (!query.IsQuery || query.Opcode != MessageOperation.Query || query.Status != MessageStatus.NoError) return null;

        bool legacy = source.Port != DnsSdNames.MdnsPort;
        var mode = legacy ? TtlMode.LegacyUnicast : TtlMode.Normal;
        var answers = new List<ResourceRecord>();
        var additional = new List<ResourceRecord>();
        var answered = new List<Question>();
        bool unicast = legacy || viaUnicast;
        foreach (var question in query.Questions)
        {
            ushort qclass = (ushort)question.Class;
            if ((qclass & ~ServiceRecords.TopBit) is not ((ushort)DnsClass.IN or AnyClass)) continue;
            int before = answers.Count;
            AnswerOne(question.Name, question.Type, records, mode, answers, additional);
            if (answers.Count > before) answered.Add(question);
            // §5.4: the QU bit asks for a unicast answer.
            if (answers.Count > before && (qclass & ServiceRecords.TopBit) != 0) unicast = true;
        }

        // §7.1 known-answer suppression: what the querier listed with at least half our TTL is not repeated.
        answers.RemoveAll(r => IsKnown(r, query.Answers));
        additional.RemoveAll(r => IsKnown(r, query.Answers) || answers.Exists(a => MdnsConflicts.SameRecord(a, r)));
        if (answers.Count == 0) return null;
        Distinct(answers);
        Distinct(additional);

        var reply = new Message { QR = true, AA = true };
        if (legacy)
        {
            // §6.7: a conventional DNS answer: the query's id, its question repeated. Only the
            // questions answered, which name our records: Makaretu.Dns reads a label that is not
            // UTF-8 with replacement characters, and a 63-byte label written back that way is up to
            // 189 bytes, a malformed datagram (found by fuzzing, docs/fuzzing.md).
            reply.Id = query.Id;
            reply.RD = query.RD;
            reply.Questions.AddRange(answered);
        }
        reply.Answers.AddRange(answers);
        reply.AdditionalRecords.AddRange(additional);
        bool shared = answers.Exists(r => r.Type == DnsType.PTR);
        return new MdnsReply(reply, unicast ? source : null, Delay: !unicast && shared);
    }

    private static void AnswerOne(DomainName name, DnsType type, ServiceRecords records, TtlMode mode, List<ResourceRecord> answers, List<ResourceRecord> additional)
    {
        bool any = type == AnyType;
        if (name == MdnsNames.ServiceEnumeration && (any || type == DnsType.PTR))
        {
            answers.Add(records.EnumerationPointer(mode));
        }
        else if (name == MdnsNames.ServiceType && (any || type == DnsType.PTR))
        {
            // RFC 6763 §12.1: the SRV, TXT and addresses come along, so one round trip resolves.
            answers.Add(records.ServicePointer(mode));
            additional.Add(records.Srv(mode));
            additional.Add(records.Txt(mode));
            AddAddresses(records, mode, additional, AddressFamily.InterNetwork, AddressFamily.InterNetworkV6);
        }
        else if (name == records.InstanceName)
        {
            if (any || type == DnsType.SRV)
            {
                answers.Add(records.Srv(mode));
                AddAddresses(records, mode, additional, AddressFamily.InterNetwork, AddressFamily.InterNetworkV6); // RFC 6763 §12.2
            }
            if (any || type == DnsType.TXT) answers.Add(records.Txt(mode));
            if (!any && type is not (DnsType.SRV or DnsType.TXT)) answers.Add(records.InstanceNsec(mode)); // §6.1: "no such record"
        }
        else if (name == records.HostName)
        {
            bool a = any || type == DnsType.A;
            bool aaaa = any || type == DnsType.AAAA;
            if (a) answers.AddRange(records.AddressRecords(AddressFamily.InterNetwork, mode));
            if (aaaa) answers.AddRange(records.AddressRecords(AddressFamily.InterNetworkV6, mode));
            // §6.2: with the A records go the AAAA records, and the other way round.
            if (a && !aaaa) AddAddresses(records, mode, additional, AddressFamily.InterNetworkV6);
            if (aaaa && !a) AddAddresses(records, mode, additional, AddressFamily.InterNetwork);
            if ((type == DnsType.AAAA && !records.HasIPv6) || (!a && !aaaa)) answers.Add(records.HostNsec(mode));
        }
    }

    private static void AddAddresses(ServiceRecords records, TtlMode mode, List<ResourceRecord> into, params AddressFamily[] families)
    {
        foreach (var family in families) into.AddRange(records.AddressRecords(family, mode));
        if (!records.HasIPv6) into.Add(records.HostNsec(mode));
    }

    private static bool IsKnown(ResourceRecord ours, List<ResourceRecord> known) =>
        known.Exists(k => k.TTL.TotalSeconds * 2 >= ours.TTL.TotalSeconds && MdnsConflicts.SameRecord(ours, k));

    private static void Distinct(List<ResourceRecord> records)
    {
        for (int i = records.Count - 1; i > 0; i--)
        {
            for (int j = 0; j < i; j++)
            {
                if (MdnsConflicts.SameRecord(records[i], records[j]))
                {
                    records.RemoveAt(i);
                    break;
                }
            }
        }
    }
}
