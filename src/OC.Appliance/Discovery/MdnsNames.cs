using System.Globalization;
using System.Text;
using Makaretu.Dns;
using OC.Protocol.Discovery;

namespace OC.Appliance.Discovery;

/// <summary>
/// The two names the appliance claims on the link: the service instance
/// (<c>NAME._oc._tcp.local</c>, from --name) and the host (<c>HOST.local</c>, from the machine
/// name), and how each is renamed when another device already has it (RFC 6762 §9).
/// </summary>
internal sealed class MdnsNames
{
    private const string FallbackInstance = "OC appliance";
    private const string FallbackHost = "oc-appliance";

    public MdnsNames(string instance, string host)
    {
        Instance = FitLabel(string.IsNullOrWhiteSpace(instance) ? FallbackInstance : instance.Trim());
        Host = HostLabel(host);
    }

    /// <summary>The service type, <c>_oc._tcp.local</c>.</summary>
    public static DomainName ServiceType { get; } = new(DnsSdNames.ServiceLabel, DnsSdNames.ProtocolLabel, DnsSdNames.Domain);

    /// <summary>DNS-SD service type enumeration, <c>_services._dns-sd._udp.local</c> (RFC 6763 §9).</summary>
    public static DomainName ServiceEnumeration { get; } = new("_services", "_dns-sd", "_udp", DnsSdNames.Domain);

    /// <summary>The instance label: any UTF-8 text up to 63 bytes, dots and spaces included (RFC 6763 §4.1.1).</summary>
    public string Instance { get; }

    /// <summary>The host label: letters, digits and hyphens.</summary>
    public string Host { get; }

    public DomainName InstanceName => new(Instance, DnsSdNames.ServiceLabel, DnsSdNames.ProtocolLabel, DnsSdNames.Domain);

    public DomainName HostName => new(Host, DnsSdNames.Domain);

    public MdnsNames WithNextInstance() => new(NextInstance(Instance), Host);

    public MdnsNames WithNextHost() => new(Instance, NextHost(Host));

    /// <summary>"name" → "name (2)", "name (2)" → "name (3)" (RFC 6762 §9, the usual form for instance names).</summary>
    public static string NextInstance(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var (stem, number) = SplitNumber(name, " (", ")");
        string suffix = string.Create(CultureInfo.InvariantCulture, $" ({number + 1})");
        return FitLabel(stem, Encoding.UTF8.GetByteCount(suffix)) + suffix;
    }

    /// <summary>"host" → "host-2", "host-2" → "host-3".</summary>
    public static string NextHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var (stem, number) = SplitNumber(host, "-", "");
        string suffix = string.Create(CultureInfo.InvariantCulture, $"-{number + 1}");
        return FitLabel(stem, suffix.Length) + suffix;
    }

    /// <summary>The machine name's first label, reduced to what a host label may hold (RFC 1123).</summary>
    public static string HostLabel(string machineName)
    {
        var label = new StringBuilder();
        foreach (char c in (machineName ?? "").Split('.')[0])
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '-') label.Append(c);
        }
        string text = label.ToString().Trim('-');
        return text.Length == 0 ? FallbackHost : FitLabel(text);
    }

    /// <summary>Cuts <paramref name="text"/> at a character boundary so that it and <paramref name="reserve"/> more bytes fit one label.</summary>
    public static string FitLabel(string text, int reserve = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        int budget = DnsSdNames.MaxLabelBytes - reserve;
        if (Encoding.UTF8.GetByteCount(text) <= budget) return text;
        var result = new StringBuilder();
        int used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget) break;
            used += rune.Utf8SequenceLength;
            result.Append(rune.ToString());
        }
        return result.ToString().TrimEnd();
    }

    // "stem<open>N<close>" → (stem, N); anything else → (text, 1).
    private static (string Stem, int Number) SplitNumber(string text, string open, string close)
    {
        if (text.EndsWith(close, StringComparison.Ordinal))
        {
            int end = text.Length - close.Length;
            int start = text.AsSpan(0, end).LastIndexOf(open, StringComparison.Ordinal);
            if (start > 0
                && int.TryParse(text.AsSpan(start + open.Length, end - start - open.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int number)
                && number >= 2 && number < 1_000_000)
            {
                return (text[..start], number);
            }
        }
        return (text, 1);
    }
}
