using OC.Protocol.Security;

namespace OC.Protocol.Client;

/// <summary>
/// How a connection to the appliance's protocol port is secured: TLS 1.3 with a decision on the
/// appliance's certificate (the normal case), or plaintext for an appliance started with
/// <c>--insecure-plaintext</c>. There is no default: a caller says which trust it means.
/// </summary>
public sealed class OcTransport
{
    private OcTransport(Func<ApplianceCertificate, bool>? accept) => Accept = accept;

    /// <summary>Null for plaintext; else decides, during the handshake and before anything is sent, whether the certificate is trusted.</summary>
    internal Func<ApplianceCertificate, bool>? Accept { get; }

    public bool IsTls => Accept is not null;

    /// <summary>
    /// TLS 1.3; <paramref name="accept"/> sees the appliance's certificate and says whether it is
    /// trusted. When it says no, the handshake is aborted, nothing is sent, and
    /// <see cref="OcConnection.ConnectAsync"/> throws <see cref="OcUntrustedCertificateException"/>.
    /// </summary>
    public static OcTransport Tls(Func<ApplianceCertificate, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        return new OcTransport(accept);
    }

    /// <summary>TLS 1.3 with exactly the certificate of this fingerprint (<see cref="Fingerprints"/>).</summary>
    public static OcTransport Pinned(string fingerprint)
    {
        if (!Fingerprints.TryParse(fingerprint, out var expected)) throw new ArgumentException($"'{fingerprint}' is not a SHA-256 fingerprint", nameof(fingerprint));
        return new OcTransport(certificate => Fingerprints.AreEqual(certificate.Fingerprint, expected));
    }

    /// <summary>
    /// TLS 1.3 with any certificate: encrypted, but not authenticated, so a man in the middle goes
    /// unnoticed. For tests and benchmarks of one's own appliance, never for users.
    /// </summary>
    public static OcTransport InsecureAnyCertificate { get; } = new(_ => true);

    /// <summary>No TLS, for an appliance started with <c>--insecure-plaintext</c>: everything crosses the network in clear.</summary>
    public static OcTransport Plaintext { get; } = new(null);
}
