using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OC.CliClient.Commands;
using OC.CliClient.Config;
using OC.CliClient.Discovery;
using OC.CliClient.Trust;
using OC.Protocol.Security;

namespace OC.Tests.Cli;

/// <summary>The trust-on-first-use rules and what oc says about them, without a network.</summary>
public sealed class TrustDecisionTests
{
    private const string OfficeId = "3f0c9a0b1c2d3e4f5a6b7c8d9e0f1a2b";
    private static readonly string A = TrustStoreTests.FingerprintA;
    private static readonly string B = TrustStoreTests.FingerprintB;
    private static readonly ServerAddress Here = new("192.0.2.20", 6677);
    private static readonly DateTimeOffset s_seen = new(2026, 1, 5, 9, 30, 0, TimeSpan.Zero);
    private static readonly TrustedAppliance Office = new(OfficeId, "office", "192.0.2.20:6677", A, s_seen);

    private static readonly TrustOptions Asking = new(null, FirstUse: false, CanAsk: true);
    private static readonly TrustOptions Script = new(null, FirstUse: false, CanAsk: false);

    private static TrustVerdictKind Decide(string fingerprint, string? id, IReadOnlyList<TrustedAppliance> known, TrustOptions options, ServerAddress? server = null) =>
        TrustDecision.Decide(fingerprint, id, server ?? Here, known, options).Kind;

    [Fact]
    public void A_trusted_appliance_with_its_fingerprint_is_trusted_wherever_it_is()
    {
        Assert.Equal(TrustVerdictKind.Trusted, Decide(A, OfficeId, [Office], Script));
        Assert.Equal(TrustVerdictKind.Trusted, Decide(A, OfficeId, [Office], Script, new ServerAddress("pi.local", 7000)));
        Assert.Same(Office, TrustDecision.Decide(A, OfficeId, Here, [Office], Script).Known);
    }

    [Fact]
    public void A_trusted_appliance_with_another_fingerprint_has_changed_whatever_the_options()
    {
        foreach (var options in new[] { Asking, Script, new TrustOptions(null, true, false), new TrustOptions(B, false, true) })
        {
            var verdict = TrustDecision.Decide(B, OfficeId, Here, [Office], options);
            Assert.Equal(TrustVerdictKind.Changed, verdict.Kind);
            Assert.Same(Office, verdict.Known);
            Assert.False(verdict.Accepts);
        }
    }

    [Fact]
    public void A_new_id_at_the_address_of_a_trusted_appliance_is_a_change_not_a_first_connection()
    {
        // A man in the middle would otherwise only need to make up an id for his certificate.
        Assert.Equal(TrustVerdictKind.Changed, Decide(B, "ffffffffffffffffffffffffffffffff", [Office], Asking));
        Assert.Equal(TrustVerdictKind.Changed, Decide(B, null, [Office], new TrustOptions(null, true, false)));
        var pki = new TrustedAppliance(null, "chat.example.org", "192.0.2.20:6677", A, s_seen);
        Assert.Equal(TrustVerdictKind.Trusted, Decide(A, null, [pki], Script));
        Assert.Equal(TrustVerdictKind.Changed, Decide(B, null, [pki], Script));
    }

    [Fact]
    public void A_first_connection_is_asked_on_a_terminal_and_refused_without_one()
    {
        Assert.Equal(TrustVerdictKind.Ask, Decide(A, OfficeId, [], Asking));
        Assert.Equal(TrustVerdictKind.Unknown, Decide(A, OfficeId, [], Script));
        // Another appliance trusted elsewhere changes nothing.
        var lab = new TrustedAppliance("aa", "lab", "192.0.2.30:6677", B, s_seen);
        Assert.Equal(TrustVerdictKind.Unknown, Decide(A, OfficeId, [lab], Script));
    }

    [Fact]
    public void Trust_with_the_presented_fingerprint_or_trust_first_use_accept_a_first_connection()
    {
        Assert.Equal(TrustVerdictKind.AcceptedByOption, Decide(A, OfficeId, [], new TrustOptions(A, false, false)));
        Assert.Equal(TrustVerdictKind.AcceptedByOption, Decide(A, OfficeId, [], new TrustOptions(A, false, true)));
        Assert.Equal(TrustVerdictKind.AcceptedByOption, Decide(A, null, [], new TrustOptions(null, true, false)));
        Assert.True(TrustDecision.Decide(A, null, Here, [], new TrustOptions(null, true, true)).Accepts);
    }

    [Fact]
    public void Trust_with_another_fingerprint_is_refused_even_for_a_trusted_appliance()
    {
        Assert.Equal(TrustVerdictKind.NotTheGivenFingerprint, Decide(A, OfficeId, [], new TrustOptions(B, false, true)));
        Assert.Equal(TrustVerdictKind.NotTheGivenFingerprint, Decide(A, OfficeId, [Office], new TrustOptions(B, false, false)));
        Assert.Equal(TrustVerdictKind.Trusted, Decide(A, OfficeId, [Office], new TrustOptions(A, false, false)));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData(" YES ", true)]
    [InlineData("y", true)]
    [InlineData("no", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("yess", false)]
    public void The_answer_is_yes_y_or_the_fingerprint_itself(string? answer, bool yes)
    {
        Assert.Equal(yes, ApplianceTrust.IsYes(answer, A));
    }

    [Fact]
    public void A_pasted_fingerprint_is_yes_only_when_it_is_the_presented_one()
    {
        Assert.True(ApplianceTrust.IsYes(A, A));
        Assert.True(ApplianceTrust.IsYes(Convert.ToHexString(SHA256.HashData("certificate A"u8)), A));
        Assert.False(ApplianceTrust.IsYes(B, A));
    }

    [Fact]
    public void The_first_connection_question_shows_name_id_fingerprint_and_the_LAN_and_how_to_check()
    {
        var certificate = Certificate("office", OfficeId);
        string question = TrustMessages.FirstConnection(certificate, Here, "the LAN line");
        Assert.Equal($"""
            The appliance at 192.0.2.20:6677 is not known to oc yet.
              Name:         office
              Id:           {OfficeId}
              Fingerprint:  {certificate.Fingerprint}
              On the LAN:   the LAN line
            Compare the fingerprint with the one the appliance shows: its status page, its start-up log,
            or `oc-appliance fingerprint --data DIR` on its machine (anyone on the LAN can announce anything).
            Trust this appliance and remember its fingerprint (yes/no)? 
            """.ReplaceLineEndings("\n"), question);
    }

    [Fact]
    public void The_LAN_line_says_whether_mDNS_announces_the_same_fingerprint()
    {
        var certificate = Certificate("office", OfficeId);
        DiscoveredAppliance Announced(string? fingerprint, string? id = OfficeId, int port = 6677) =>
            new("office", "pi.local", IPAddress.Parse("192.0.2.20"), port, 1, id, 6678, fingerprint);

        Assert.Equal("the same fingerprint is announced on the LAN (mDNS, \"office\")",
            TrustMessages.LanLine(certificate, Here, [Announced(certificate.Fingerprint)]));
        Assert.Equal($"DIFFERS from the one announced on the LAN (mDNS, \"office\": {B}): be careful",
            TrustMessages.LanLine(certificate, Here, [Announced(B)]));
        Assert.Equal("announced on the LAN as \"office\", without a fingerprint",
            TrustMessages.LanLine(certificate, Here, [Announced(null)]));
        Assert.Equal("not announced on the LAN (no mDNS answer names it)",
            TrustMessages.LanLine(certificate, Here, [Announced(B, id: "aa", port: 7000)]));
        Assert.Equal("not announced on the LAN (no mDNS answer names it)", TrustMessages.LanLine(certificate, Here, null));
        // Found by address when the id is not announced.
        Assert.StartsWith("the same", TrustMessages.LanLine(certificate, Here, [Announced(certificate.Fingerprint, id: null)]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_changed_warning_names_both_fingerprints_and_how_to_accept_a_legitimate_change()
    {
        var certificate = Certificate("office", "ffffffffffffffffffffffffffffffff");
        string warning = TrustMessages.Changed(Office, certificate, Here);
        Assert.Contains("WARNING: THE APPLIANCE'S CERTIFICATE HAS CHANGED!", warning, StringComparison.Ordinal);
        Assert.Contains($"  Trusted:    {A}  (\"office\", id {OfficeId}, trusted since 2026-01-05 09:30 UTC at 192.0.2.20:6677)\n", warning, StringComparison.Ordinal);
        Assert.Contains($"  Presented:  {certificate.Fingerprint}  (\"office\", id ffffffffffffffffffffffffffffffff)\n", warning, StringComparison.Ordinal);
        Assert.Contains("\n  oc-appliance fingerprint --data DIR\n", warning, StringComparison.Ordinal);
        Assert.EndsWith("\n  oc servers forget office\n", warning, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_from_a_certificate_cannot_reach_the_terminal_as_they_are()
    {
        var certificate = Certificate("evil\u001b[2J\u202Eoffice", OfficeId);
        string question = TrustMessages.FirstConnection(certificate, Here, "-");
        Assert.DoesNotContain('\u001b', question);
        Assert.DoesNotContain('\u202E', question);
        Assert.Equal("'it'\\''s mine'", TrustMessages.ShellWord("it's mine"));
        Assert.Equal("office-2", TrustMessages.ShellWord("office-2"));
    }

    [Theory]
    [InlineData(null, false, "no")]
    [InlineData(null, true, "known")]
    [InlineData("A", true, "yes")]
    [InlineData("B", true, "changed")]
    public void Oc_servers_compares_the_announced_fingerprint_with_the_trusted_one(string? announced, bool known, string trust)
    {
        string? fingerprint = announced switch { "A" => A, "B" => B, _ => null };
        Assert.Equal(trust, ServersCommand.Trust(fingerprint, known ? Office : null));
    }

    /// <summary>A self-signed certificate as an appliance makes one: its name in CN, its id in serialNumber (2.5.4.5).</summary>
    internal static ApplianceCertificate Certificate(string name, string? id)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(name);
        if (id is not null) subject.Add(ApplianceCertificate.IdAttributeOid, id, UniversalTagNumber.PrintableString);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(s_seen, s_seen.AddYears(10));
        return new ApplianceCertificate(certificate.RawData);
    }
}
