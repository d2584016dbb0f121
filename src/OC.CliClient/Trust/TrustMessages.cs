using System.Globalization;
using System.Text;
using OC.CliClient.Config;
using OC.CliClient.Discovery;
using OC.CliClient.Terminal;
using OC.Protocol.Security;

namespace OC.CliClient.Trust;

/// <summary>
/// What oc says about an appliance's certificate: the question of a first connection, the warning
/// about a changed certificate, and the one-line refusals. No I/O, so that tests read the texts.
/// Names and ids come from the certificate, which anyone can make: they are shown through
/// <see cref="MessageLines.Visible"/>, never as they are.
/// </summary>
internal static class TrustMessages
{
    /// <summary>How a person checks a fingerprint at the appliance; every message that asks for a check says it.</summary>
    public const string CheckAtAppliance = "oc-appliance fingerprint --data DIR";

    /// <summary>What the LAN announces for the appliance (mDNS TXT <c>fp=</c>), compared with the presented fingerprint.</summary>
    public static string LanLine(ApplianceCertificate certificate, ServerAddress server, IReadOnlyList<DiscoveredAppliance>? lan)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var announced = Announcement(certificate, server, lan);
        if (announced is null) return "not announced on the LAN (no mDNS answer names it)";
        string name = Visible(announced.Name);
        if (announced.Fingerprint is null) return $"announced on the LAN as \"{name}\", without a fingerprint";
        return Fingerprints.AreEqual(announced.Fingerprint, certificate.Fingerprint)
            ? $"the same fingerprint is announced on the LAN (mDNS, \"{name}\")"
            : $"DIFFERS from the one announced on the LAN (mDNS, \"{name}\": {announced.Fingerprint}): be careful";
    }

    /// <summary>The mDNS answer that is this appliance: the one with its id, else the one at its address.</summary>
    public static DiscoveredAppliance? Announcement(ApplianceCertificate certificate, ServerAddress server, IReadOnlyList<DiscoveredAppliance>? lan)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (lan is null) return null;
        return lan.FirstOrDefault(a => certificate.ApplianceId is { Length: > 0 } id && string.Equals(a.Id, id, StringComparison.OrdinalIgnoreCase))
            ?? lan.FirstOrDefault(a => a.Server.SameAs(server));
    }

    /// <summary>The question of a first connection (stderr), up to and including the prompt.</summary>
    public static string FirstConnection(ApplianceCertificate certificate, ServerAddress server, string lanLine)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The appliance at {server} is not known to oc yet.\n");
        if (certificate.Name is { Length: > 0 } name) text.Append(CultureInfo.InvariantCulture, $"  Name:         {Visible(name)}\n");
        if (certificate.ApplianceId is { Length: > 0 } id) text.Append(CultureInfo.InvariantCulture, $"  Id:           {Visible(id)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Fingerprint:  {certificate.Fingerprint}\n");
        text.Append(CultureInfo.InvariantCulture, $"  On the LAN:   {lanLine}\n");
        text.Append("Compare the fingerprint with the one the appliance shows: its status page, its start-up log,\n");
        text.Append(CultureInfo.InvariantCulture, $"or `{CheckAtAppliance}` on its machine (anyone on the LAN can announce anything).\n");
        text.Append("Trust this appliance and remember its fingerprint (yes/no)? ");
        return text.ToString();
    }

    /// <summary>The warning about a changed certificate (stderr, several lines); the one-line refusal follows it.</summary>
    public static string Changed(TrustedAppliance trusted, ApplianceCertificate certificate, ServerAddress server)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(certificate);
        var text = new StringBuilder();
        text.Append("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n");
        text.Append("@     WARNING: THE APPLIANCE'S CERTIFICATE HAS CHANGED!     @\n");
        text.Append("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n");
        text.Append(CultureInfo.InvariantCulture, $"The appliance at {server} presented another certificate than the one oc trusts:\n");
        text.Append(CultureInfo.InvariantCulture, $"  Trusted:    {trusted.Fingerprint}  ({Describe(trusted.Name, trusted.Id)}, trusted since {trusted.FirstSeen.UtcDateTime:yyyy-MM-dd HH:mm} UTC at {trusted.Address})\n");
        text.Append(CultureInfo.InvariantCulture, $"  Presented:  {certificate.Fingerprint}  ({Describe(certificate.Name, certificate.ApplianceId)})\n");
        text.Append("Someone may be intercepting the connection (a man in the middle), or the appliance has a new\n");
        text.Append("certificate (a new data folder, a reinstall, --tls-cert). Nothing was sent to it.\n");
        text.Append("If the change is expected, check the new fingerprint at the appliance, on its machine:\n");
        text.Append(CultureInfo.InvariantCulture, $"  {CheckAtAppliance}\n");
        text.Append("(or on its status page), then make oc forget the old one and connect again:\n");
        text.Append(CultureInfo.InvariantCulture, $"  oc servers forget {ShellWord(trusted.Label)}\n");
        return text.ToString();
    }

    /// <summary>The one line after the warning.</summary>
    public static string ChangedRefusal(ServerAddress server) =>
        $"the certificate of the appliance at {server} has changed; refused (nothing was sent)";

    public static string UnknownWithoutTerminal(ApplianceCertificate certificate, ServerAddress server)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return $"the appliance at {server} ({Describe(certificate.Name, certificate.ApplianceId)}) is not trusted yet and there is no terminal to ask; "
            + $"it presents {certificate.Fingerprint}: if that is what the appliance shows ({CheckAtAppliance}), "
            + $"run again with --trust {certificate.Fingerprint} (or --trust-first-use to accept it unchecked); nothing was sent";
    }

    public static string NotTheGivenFingerprint(ApplianceCertificate certificate, ServerAddress server, string given)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return $"the appliance at {server} presents {certificate.Fingerprint}, not {given} (--trust); refused (nothing was sent)";
    }

    public static string Declined(ServerAddress server) => $"the appliance at {server} is not trusted; nothing was sent";

    public static string OtherCertificateOnReconnect(ApplianceCertificate certificate, ServerAddress server, string accepted)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return $"the appliance at {server} presented {certificate.Fingerprint} when oc connected again, not the {accepted} you accepted; nothing was remembered or sent";
    }

    public static string NoTls(ServerAddress server) =>
        $"the appliance at {server} does not speak TLS: if it was started with --insecure-plaintext, add --insecure (then everything crosses the network in clear)";

    public static string Unencrypted(ServerAddress server) =>
        $"oc: warning: the connection to {server} is not encrypted (--insecure): anyone on the network can read and change what it carries";

    /// <summary>An argument as a shell reads it back: as it is when it is plain, else in single quotes.</summary>
    public static string ShellWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        word = MessageLines.Visible(word);
        return word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '[' or ']')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static string Describe(string? name, string? id) => (name, id) switch
    {
        ({ Length: > 0 }, { Length: > 0 }) => $"\"{Visible(name)}\", id {Visible(id)}",
        ({ Length: > 0 }, _) => $"\"{Visible(name)}\"",
        (_, { Length: > 0 }) => $"id {Visible(id)}",
        _ => "no name in its certificate",
    };

    private static string Visible(string text) => MessageLines.Visible(text);
}
