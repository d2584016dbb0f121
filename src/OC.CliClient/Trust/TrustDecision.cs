using OC.CliClient.Config;
using OC.Protocol.Security;

namespace OC.CliClient.Trust;

/// <summary>What the command line says about trust: <c>--trust FINGERPRINT</c>, <c>--trust-first-use</c>, and whether a person can be asked.</summary>
internal sealed record TrustOptions(string? Fingerprint, bool FirstUse, bool CanAsk);

/// <summary>What to do with the certificate an appliance presented.</summary>
internal enum TrustVerdictKind
{
    /// <summary>Trusted already, with this very fingerprint: go on.</summary>
    Trusted,

    /// <summary>Not known, and accepted by <c>--trust</c> or <c>--trust-first-use</c>: go on, and remember it.</summary>
    AcceptedByOption,

    /// <summary>Not known: a person at the terminal decides (after the handshake was aborted).</summary>
    Ask,

    /// <summary>Not known, and nobody to ask and no option that accepts it.</summary>
    Unknown,

    /// <summary><c>--trust</c> names another fingerprint than the one presented.</summary>
    NotTheGivenFingerprint,

    /// <summary>The appliance (by id, or the one trusted at this address) presented another certificate than the one trusted.</summary>
    Changed,
}

/// <summary>A verdict, with the trusted appliance it was judged against (for <see cref="TrustVerdictKind.Trusted"/> and <see cref="TrustVerdictKind.Changed"/>).</summary>
internal sealed record TrustVerdict(TrustVerdictKind Kind, TrustedAppliance? Known = null)
{
    /// <summary>Whether the handshake may go on.</summary>
    public bool Accepts => Kind is TrustVerdictKind.Trusted or TrustVerdictKind.AcceptedByOption;
}

/// <summary>
/// The trust-on-first-use rules, as SSH applies them to host keys, without any I/O:
/// <list type="number">
/// <item>An appliance trusted under the id its certificate carries must present the remembered
/// fingerprint, wherever it is now.</item>
/// <item>Else, if an appliance is trusted at this address, the certificate must be that one's: a
/// man in the middle cannot dodge the warning by making up a new id for his certificate.</item>
/// <item>Else it is a first connection: accepted by <c>--trust</c> (when it names exactly this
/// fingerprint) or <c>--trust-first-use</c>, or asked on a terminal, or refused.</item>
/// </list>
/// <c>--trust</c> is a claim about the certificate, so a fingerprint that is not the presented one
/// is refused in every case. A changed certificate is never accepted by an option: the user forgets
/// the old one first (<c>oc servers forget</c>), after checking the new one at the appliance.
/// </summary>
internal static class TrustDecision
{
    public static TrustVerdict Decide(
        string fingerprint, string? applianceId, ServerAddress server, IReadOnlyList<TrustedAppliance> known, TrustOptions options)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Fingerprint is { } given && !Fingerprints.AreEqual(given, fingerprint))
        {
            return new TrustVerdict(TrustVerdictKind.NotTheGivenFingerprint);
        }

        var trusted = TrustStore.FindById(known, applianceId) ?? TrustStore.FindByAddress(known, server);
        if (trusted is not null)
        {
            return Fingerprints.AreEqual(trusted.Fingerprint, fingerprint)
                ? new TrustVerdict(TrustVerdictKind.Trusted, trusted)
                : new TrustVerdict(TrustVerdictKind.Changed, trusted);
        }

        if (options.Fingerprint is not null || options.FirstUse) return new TrustVerdict(TrustVerdictKind.AcceptedByOption);
        return new TrustVerdict(options.CanAsk ? TrustVerdictKind.Ask : TrustVerdictKind.Unknown);
    }
}
