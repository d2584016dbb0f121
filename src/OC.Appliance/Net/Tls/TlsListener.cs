using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Net.Tls;

/// <summary>TLS on the protocol port: the engine, the certificate, and the plaintext refusal for clients that do not speak TLS.</summary>
internal sealed class TlsListener : IDisposable
{
    public TlsListener(ITlsServer server, TlsCertificateFiles identity)
    {
        Server = server;
        Identity = identity;
        var frame = new ByteBuffer();
        ErrorReply.Write(frame, Frame.NoRequest, new ErrorReply(ErrorCode.TlsRequired, 0,
            "this appliance speaks TLS only: connect with TLS (an up-to-date oc does)"));
        PlaintextRefusal = frame.Span.ToArray();
        frame.Release();
    }

    public ITlsServer Server { get; }
    public TlsCertificateFiles Identity { get; }

    /// <summary>An ERROR frame (TlsRequired, request id 0), sent in plaintext to a client that spoke plaintext.</summary>
    public byte[] PlaintextRefusal { get; }

    /// <summary>Names of the engines, as <see cref="ApplianceOptions.TlsEngine"/> and --tls-engine take them.</summary>
    public const string OpenSsl = "openssl";
    public const string SslStream = "sslstream";

    /// <summary>
    /// The engine: <paramref name="engine"/> if one is named, else OpenSSL through its memory
    /// interface where libssl.so.3 is (Linux), else SslStream (Windows, macOS, Linux without OpenSSL 3).
    /// </summary>
    public static TlsListener Create(TlsCertificateFiles identity, string? engine = null)
    {
        ITlsServer server = engine switch
        {
            null => OpenSslServer.IsAvailable() ? OpenSslServer.Create(identity) : SslStreamServer.Create(identity),
            OpenSsl => OpenSslServer.IsAvailable()
                ? OpenSslServer.Create(identity)
                : throw new TlsSetupException("the openssl TLS engine needs OpenSSL 3 (libssl.so.3); install it (Debian: libssl3), or leave the engine to the appliance"),
            SslStream => SslStreamServer.Create(identity),
            _ => throw new TlsSetupException($"no TLS engine '{engine}': openssl or sslstream"),
        };
        return new TlsListener(server, identity);
    }

    public void Dispose() => Server.Dispose();
}
