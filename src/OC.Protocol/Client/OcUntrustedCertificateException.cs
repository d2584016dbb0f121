using OC.Protocol.Security;

namespace OC.Protocol.Client;

/// <summary>
/// The appliance presented a certificate that the <see cref="OcTransport"/> did not accept. The
/// handshake was aborted before anything was sent; <see cref="Certificate"/> is what was seen.
/// </summary>
public sealed class OcUntrustedCertificateException : IOException
{
    public OcUntrustedCertificateException(string message, ApplianceCertificate certificate)
        : base(message) => Certificate = certificate;

    public ApplianceCertificate Certificate { get; }
}
