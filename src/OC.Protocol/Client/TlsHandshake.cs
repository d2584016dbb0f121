using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Protocol.Security;

namespace OC.Protocol.Client;

/// <summary>
/// The client's TLS 1.3 handshake over a connected stream. The certificate is judged before the
/// handshake returns, so an untrusted one ends the connection before the client sends any
/// application data: no HELLO, no login, no token. (.NET on Linux checks it once OpenSSL has
/// finished the handshake, so the client's Finished may go out; it carries no secret.)
/// </summary>
internal static class TlsHandshake
{
    public static async Task<(Stream Stream, ApplianceCertificate Certificate)> RunAsync(
        Stream inner, string host, string peer, OcTransport transport, CancellationToken cancellationToken)
    {
        ApplianceCertificate? seen = null;
        bool accepted = false;
        var recording = new PrefixRecordingStream(inner);
        var ssl = new SslStream(recording, leaveInnerStreamOpen: false);
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
            throw PlaintextAnswer(recording.Prefix, peer) ?? new OcConnectionException($"TLS handshake with {peer} failed: {e.Message}", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The appliance answered the handshake with an OC frame in plaintext: an ERROR refusing the
    /// connection before TLS (too many connections: it carries the wait), or an appliance that
    /// does not speak TLS (--insecure-plaintext) complaining about our ClientHello. Null otherwise.
    /// Nothing here is authenticated, so it only ever explains a failure.
    /// </summary>
    internal static OcConnectionException? PlaintextAnswer(ReadOnlySpan<byte> prefix, string peer)
    {
        if (FrameParser.TryReadFrame(prefix, ProtocolLimits.MaxErrorTextBytes + 64, out var header) != FrameStatus.Complete
            || header.Type != FrameType.Error
            || !ErrorReply.TryRead(FrameParser.Payload(prefix, header), out var error))
        {
            return null;
        }
        if (error.Code == ErrorCode.TooManyConnections)
            return new OcConnectionException(error.Message, new OcErrorException(error));
        return new OcConnectionException(
            $"{peer} does not speak TLS: it answered in plaintext ({error.Message}); if it runs with --insecure-plaintext, connect without TLS");
    }
}
