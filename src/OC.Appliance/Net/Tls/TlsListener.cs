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
            null => OpenSslServer.IsAvailable() ? OpenSslServer.Create(identity) : CreateSslStream(identity, forced: false),
            OpenSsl => OpenSslServer.IsAvailable()
                ? OpenSslServer.Create(identity)
                : throw new TlsSetupException("the openssl TLS engine needs OpenSSL 3 (libssl.so.3); install it (Debian: libssl3), or leave the engine to the appliance"),
            SslStream => CreateSslStream(identity, forced: true),
            _ => throw new TlsSetupException($"no TLS engine '{engine}': openssl or sslstream"),
        };
        return new TlsListener(server, identity);
    }

    /// <summary>
    /// False in a build published with -p:OcSslStreamEngine=false: the compiler then leaves the
    /// SslStream engine (and SslStream, X509 chains) out, 2.2 MB of the linux-x64 binary, for an
    /// appliance that will only ever run where libssl.so.3 is (docs/architecture.md).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.FeatureSwitchDefinition(SslStreamSwitch)]
    internal static bool SslStreamIncluded { get; } = !AppContext.TryGetSwitch(SslStreamSwitch, out bool included) || included;

    private const string SslStreamSwitch = "OC.Appliance.Tls.SslStreamEngine";

    private static ITlsServer CreateSslStream(TlsCertificateFiles identity, bool forced)
    {
        if (SslStreamIncluded) return SslStreamServer.Create(identity);
        const string missing = "this build of the appliance has no SslStream TLS engine (published with -p:OcSslStreamEngine=false)";
        throw new TlsSetupException(forced
            ? missing + ": leave the engine to the appliance (OpenSSL)"
            : missing + " and OpenSSL 3 (libssl.so.3) is not here: install it (Debian: libssl3), or run with --insecure-plaintext");
    }

    public void Dispose() => Server.Dispose();
}
