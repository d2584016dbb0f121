using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OC.Appliance.Diagnostics;
using OC.Protocol.Framing;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// The portable engine: .NET's SslStream as a server (TLS 1.3 only, no resumption), one per
/// connection over a <see cref="LoopCipherStream"/>, for where <see cref="OpenSslServer"/> cannot run
/// (Windows, macOS, a Linux without libssl.so.3). It costs more memory per idle connection than
/// OpenSSL's own state machine (docs/architecture.md, "TLS in the event loop"). At start it makes
/// one handshake in memory (<see cref="SslStreamSelfTest"/>), so a platform that cannot serve TLS 1.3
/// stops the start with a reason instead of failing every client. Loop thread only:
/// the sessions check that every call SslStream makes on them comes from the loop's thread, and
/// count any that does not (<see cref="OffLoopCalls"/>, a bug if ever above 0).
/// </summary>
internal sealed class SslStreamServer : ITlsServer
{
    // Plaintext is read into this, one connection at a time like the loop's other shared buffers;
    // larger than a record's plaintext (2^14), so one read never leaves plaintext inside SslStream.
    private const int ReadScratchSize = 64 * 1024;

    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection _chain;
    private byte[]? _readScratch;
    private long _offLoopCalls;
    private bool _disposed;

    private SslStreamServer(X509Certificate2 certificate, X509Certificate2Collection chain)
    {
        _certificate = certificate;
        _chain = chain;
        Options = new SslServerAuthenticationOptions
        {
            // offline: the chain is built from the file alone, nothing is fetched (no AIA, no OCSP).
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true),
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
            // As OpenSslServer: no tickets, no session cache; clients resume with the protocol's RESUME.
            AllowTlsResume = false,
        };
    }

    public string Engine => "sslstream";

    /// <summary>The same for every session: SslStream keeps one native context per certificate context.</summary>
    internal SslServerAuthenticationOptions Options { get; }

    /// <summary>Calls that reached a session or its stream from a thread other than the loop's: 0, or a bug.</summary>
    public long OffLoopCalls => Interlocked.Read(ref _offLoopCalls);

    internal byte[] ReadScratch => _readScratch ??= new byte[ReadScratchSize];

    /// <summary>The leaf and its key from the PEM files (leaf first, then any chain), as OpenSslServer reads them.</summary>
    public static SslStreamServer Create(TlsCertificateFiles identity)
    {
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(identity.CertificatePath, identity.KeyPath);
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(identity.CertificatePath);
            for (int i = 0; i < all.Count; i++)
            {
                if (i == 0) all[i].Dispose();
                else chain.Add(all[i]);
            }
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new TlsSetupException($"cannot use the certificate in {identity.CertificatePath} with the key in {identity.KeyPath}: {e.Message}");
        }
        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use the ephemeral key CreateFromPemFile makes: through PKCS#12 it
            // lands in a key container it can use (removed again when the certificate is disposed).
            var usable = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
            certificate.Dispose();
            certificate = usable;
        }
        SslStreamServer server;
        try
        {
            server = new SslStreamServer(certificate, chain);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            certificate.Dispose();
            throw new TlsSetupException($"SslStream cannot serve the certificate in {identity.CertificatePath}: {e.Message}");
        }
        if (SslStreamSelfTest.Run(server) is { } failed)
        {
            server.Dispose();
            throw new TlsSetupException($"this system's TLS cannot serve TLS 1.3 with the certificate in {identity.CertificatePath} ({failed}). " +
                "A TLS 1.3 server needs OpenSSL 3 (Linux), Windows 11 or Windows Server 2022 or later; .NET on macOS has none. " +
                "Run the appliance where it can, or with --insecure-plaintext");
        }
        return server;
    }

    public ITlsSession CreateSession(ByteBuffer wire)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SslStreamSession(this, wire);
    }

    /// <summary>A session or its stream was called off the loop thread: counted, and logged the first time.</summary>
    internal void NoteOffLoop(string where)
    {
        if (Interlocked.Increment(ref _offLoopCalls) == 1)
        {
            Log.Error("tls.off_loop", $"SslStream engine: {where} ran on thread {Environment.CurrentManagedThreadId}, not the event loop's (a bug: " +
                "SslStream continued on another thread)");
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _certificate.Dispose();
        foreach (var certificate in _chain) certificate.Dispose();
    }
}
