namespace OC.Appliance.Net.Tls;

/// <summary>
/// The certificate a TLS listener presents: PEM files (leaf first, then any chain; the key), the
/// leaf's fingerprint, and its tls-server-end-point channel binding data (RFC 5929), which every
/// TLS connection's password login is bound to.
/// </summary>
internal sealed record TlsCertificateFiles(string CertificatePath, string KeyPath, string Fingerprint, bool IsOwn, byte[] ChannelBinding);

/// <summary>The appliance cannot serve TLS as configured; the message says what to do.</summary>
internal sealed class TlsSetupException(string message) : Exception(message);
