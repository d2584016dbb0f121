using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using OC.Protocol.Discovery;
using OC.Protocol.Security;

namespace OC.CliClient.Discovery;

/// <summary>
/// What the answers to a browse said so far: instances (PTR), their SRV and TXT records, and the
/// addresses of the hosts the SRV records name. No sockets: <see cref="LanBrowser"/> feeds it.
/// </summary>
internal sealed class BrowseResults
{
    public static readonly DomainName ServiceType = new(DnsSdNames.ServiceLabel, DnsSdNames.ProtocolLabel, DnsSdNames.Domain);

    private readonly Dictionary<DomainName, IPAddress> _instances = [];
    private readonly Dictionary<DomainName, SRVRecord> _services = [];
    private readonly Dictionary<DomainName, TXTRecord> _texts = [];
    private readonly Dictionary<DomainName, List<IPAddress>> _addresses = [];
    private readonly HashSet<(DomainName, DnsType)> _asked = [];

    /// <summary>Takes in the records of one response that came from <paramref name="source"/>.</summary>
    public void Add(Message response, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(response);
        foreach (var record in response.Answers.Concat(response.AdditionalRecords))
        {
            bool gone = record.TTL == TimeSpan.Zero;
            switch (record)
            {
                case PTRRecord ptr when ptr.Name == ServiceType && IsInstanceOfOurs(ptr.DomainName):
                    if (gone) _instances.Remove(ptr.DomainName);
                    else _instances.TryAdd(ptr.DomainName, source);
                    break;
                case SRVRecord srv when !gone:
                    _services[srv.Name] = srv;
                    break;
                case TXTRecord txt when !gone:
                    _texts[txt.Name] = txt;
                    break;
                case AddressRecord address when !gone:
                    if (!_addresses.TryGetValue(address.Name, out var list)) _addresses[address.Name] = list = [];
                    if (!list.Contains(address.Address)) list.Add(address.Address);
                    break;
            }
        }
    }

    /// <summary>Questions for what an instance still lacks (SRV, TXT, its host's A), each asked once.</summary>
    public List<Question> TakeMissingQuestions()
    {
        var questions = new List<Question>();
        foreach (var instance in _instances.Keys)
        {
            if (!_services.TryGetValue(instance, out var srv)) Ask(questions, instance, DnsType.SRV);
            else if (!_addresses.ContainsKey(srv.Target)) Ask(questions, srv.Target, DnsType.A);
            if (!_texts.ContainsKey(instance)) Ask(questions, instance, DnsType.TXT);
        }
        return questions;
    }

    /// <summary>Every instance whose SRV record arrived, sorted by name.</summary>
    public List<DiscoveredAppliance> Results()
    {
        var results = new List<DiscoveredAppliance>();
        foreach (var (instance, source) in _instances)
        {
            if (!_services.TryGetValue(instance, out var srv)) continue;
            var addresses = _addresses.GetValueOrDefault(srv.Target) ?? [];
            // The address the answer came from, if the host has it; else its first IPv4 one.
            var address = addresses.Contains(source) ? source
                : addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault() ?? source;
            var txt = Pairs(_texts.GetValueOrDefault(instance));
            results.Add(new DiscoveredAppliance(
                instance.Labels[0], srv.Target.ToString(), address, srv.Port,
                Number(txt, DnsSdNames.TxtVersion), txt.GetValueOrDefault(DnsSdNames.TxtId), Number(txt, DnsSdNames.TxtHttpPort),
                Fingerprints.TryParse(txt.GetValueOrDefault(DnsSdNames.TxtFingerprint), out var fingerprint) ? fingerprint : null));
        }
        results.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase));
        return results;
    }

    private static bool IsInstanceOfOurs(DomainName name) =>
        name.Labels.Count == ServiceType.Labels.Count + 1 && new DomainName([.. name.Labels.Skip(1)]) == ServiceType;

    private void Ask(List<Question> questions, DomainName name, DnsType type)
    {
        if (_asked.Add((name, type))) questions.Add(new Question { Name = name, Type = type });
    }

    // RFC 6763 §6.3-6.4: "key=value" strings, keys compared without case; the first one counts.
    private static Dictionary<string, string> Pairs(TXTRecord? txt)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var text in txt?.Strings ?? [])
        {
            int equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) pairs.TryAdd(text[..equals], text[(equals + 1)..]);
        }
        return pairs;
    }

    private static int? Number(Dictionary<string, string> pairs, string key) =>
        pairs.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;
}
