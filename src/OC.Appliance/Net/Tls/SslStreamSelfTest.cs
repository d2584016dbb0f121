using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OC.Protocol.Framing;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// One TLS 1.3 handshake in memory, at start, between a session of the engine and an SslStream
/// client on the same thread. What the platform's TLS cannot do as a server shows here rather than
/// in every client's failed connection: .NET on macOS has no TLS 1.3 server (SecureTransport;
/// dotnet/runtime#1979), SChannel serves TLS 1.3 only from Windows 11 and Windows Server 2022 on,
/// and a key SChannel cannot use fails here too.
/// </summary>
internal static class SslStreamSelfTest
{
    // The handshake is two round trips; a few more rounds only in case a platform splits its flights.
    private const int MaxRounds = 16;

    /// <summary>Null when a handshake completed, else why not.</summary>
    public static string? Run(SslStreamServer server)
    {
        using var inline = new NoSynchronizationContext();
        var serverWire = new ByteBuffer();
        var clientWire = new ByteBuffer();
        var session = server.CreateSession(serverWire);
        var transport = new LoopCipherStream(server, clientWire);
        var client = new SslStream(transport, leaveInnerStreamOpen: false);
        Task? handshake = null;
        try
        {
            handshake = client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "",
                EnabledSslProtocols = SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            });
            var plain = new byte[1024];
            for (int round = 0; round < MaxRounds && !(handshake.IsCompleted && session.IsHandshakeDone); round++)
            {
                if (!clientWire.IsEmpty)
                {
                    var cipher = clientWire.Span.ToArray();
                    clientWire.Release();
                    session.Feed(cipher, 0, cipher.Length);
                    if (session.Decrypt(plain) < 0) return session.Error;
                }
                if (!serverWire.IsEmpty)
                {
                    transport.Append(serverWire.Span);
                    serverWire.Release();
                    transport.Wake();
                }
                if (handshake.IsFaulted) return "as a client: " + handshake.Exception!.GetBaseException().Message;
            }
            return handshake.IsCompletedSuccessfully && session.IsHandshakeDone ? null : "the handshake did not complete";
        }
        catch (Exception e)
        {
            return e.GetBaseException().Message;
        }
        finally
        {
            session.Dispose();
            client.Dispose();
            // Ended by the disposal if it had not completed: observed, so no unobserved-task event follows.
            if (handshake is { IsFaulted: true }) _ = handshake.Exception;
            serverWire.Release();
            clientWire.Release();
        }
    }
}
