using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OC.Protocol.Security;

namespace OC.Protocol.Client;

/// <summary>
/// The client's TLS 1.3 handshake over a connected stream. The certificate is judged inside the
/// handshake, so an untrusted one aborts it before the client sends anything of its own (TLS 1.3:
/// the client's first application data can only follow its Finished, which follows the check).
/// </summary>
internal static class TlsHandshake
{
    public static async Task<(Stream Stream, ApplianceCertificate Certificate)> RunAsync(
        Stream inner, string host, string peer, OcTransport transport, CancellationToken cancellationToken)
    {
        ApplianceCertificate? seen = null;
        bool accepted = false;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            // SNI is only a name here: the trust decision is the fingerprint, never the name.
            TargetHost = System.Net.IPAddress.TryParse(host, out _) ? "" : host,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null) return false;
                seen = new ApplianceCertificate(certificate.GetRawCertData());
                accepted = transport.Accept!(seen);
                return accepted;
            },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return (ssl, seen!);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (seen is not null && !accepted)
                throw new OcUntrustedCertificateException($"{peer} presented a certificate that is not trusted ({seen.Fingerprint})", seen);
            throw new OcConnectionException(
                $"TLS handshake with {peer} failed: {e.Message} (an appliance started with --insecure-plaintext does not speak TLS)", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
