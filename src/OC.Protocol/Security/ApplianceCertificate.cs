using System.Security.Cryptography.X509Certificates;

namespace OC.Protocol.Security;

/// <summary>
/// The certificate an appliance presented in its TLS handshake, as a client decides whether to
/// trust it: its fingerprint (what users compare with the one the appliance prints), and the
/// appliance's id and name when the certificate is one the appliance made for itself.
/// </summary>
public sealed class ApplianceCertificate
{
    /// <summary>The attribute the appliance's own certificate carries its id in (X.520 serialNumber, 2.5.4.5).</summary>
    public const string IdAttributeOid = "2.5.4.5";

    public ApplianceCertificate(byte[] der)
    {
        ArgumentNullException.ThrowIfNull(der);
        Der = der;
        Fingerprint = Fingerprints.Of(der);
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            string? value = rdn.GetSingleElementValue();
            if (rdn.GetSingleElementType().Value == IdAttributeOid) ApplianceId = value;
            else if (rdn.GetSingleElementType().Value == "2.5.4.3") Name = value;
        }
        NotAfter = certificate.NotAfter.ToUniversalTime();
    }

    /// <summary>The certificate, DER-encoded.</summary>
    public byte[] Der { get; }

    /// <summary><c>SHA256:</c> and the unpadded base64 of the SHA-256 of <see cref="Der"/> (as OpenSSH shows keys).</summary>
    public string Fingerprint { get; }

    /// <summary>The appliance id from the subject, for an appliance's own certificate; null for one from another PKI.</summary>
    public string? ApplianceId { get; }

    /// <summary>The subject's common name (an appliance's own certificate has its name there).</summary>
    public string? Name { get; }

    public DateTime NotAfter { get; }
}
