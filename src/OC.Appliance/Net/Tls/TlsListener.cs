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

    /// <summary>The engine for this platform: OpenSSL through its memory interface where libssl.so.3 is, else none yet.</summary>
    public static TlsListener Create(TlsCertificateFiles identity)
    {
        if (!OpenSslServer.IsAvailable())
            throw new TlsSetupException("TLS needs OpenSSL 3 (libssl.so.3) on this system; install it (Debian: libssl3), or run with --insecure-plaintext");
        return new TlsListener(OpenSslServer.Create(identity), identity);
    }

    public void Dispose() => Server.Dispose();
}
