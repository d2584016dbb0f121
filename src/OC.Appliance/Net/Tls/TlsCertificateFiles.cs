namespace OC.Appliance.Net.Tls;

/// <summary>The certificate a TLS listener presents: PEM files (leaf first, then any chain; the key) and the leaf's fingerprint.</summary>
internal sealed record TlsCertificateFiles(string CertificatePath, string KeyPath, string Fingerprint, bool IsOwn);

/// <summary>The appliance cannot serve TLS as configured; the message says what to do.</summary>
internal sealed class TlsSetupException(string message) : Exception(message);
