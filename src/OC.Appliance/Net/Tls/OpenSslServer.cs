using System.Runtime.InteropServices;
using System.Security.Cryptography;
using static OC.Appliance.Net.Tls.OpenSslNative;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// TLS handshakes through OpenSSL's own state machine, fed from memory: one SSL_CTX (TLS 1.3 only,
/// AES-GCM suites only, no session tickets or cache: clients resume with the protocol's RESUME),
/// one SSL per connection whose BIOs are callbacks into <see cref="OpenSslSession"/>, so ciphertext
/// moves between the loop's buffers and OpenSSL with no buffer of OpenSSL's own. The SSL object
/// lives only until the handshake completes; the records after it are the appliance's own
/// (<see cref="TlsRecordLayer"/>), so an idle TLS connection costs its traffic keys, not OpenSSL's
/// ~14 KiB session (docs/architecture.md, "TLS in the event loop", has the measurements).
/// </summary>
internal sealed unsafe class OpenSslServer : ITlsServer
{
    private static nint s_bioMethod;
    private nint _context;

    private OpenSslServer(nint context) => _context = context;

    public string Engine => "openssl";

    /// <summary>Whether libssl.so.3 can be loaded here (Linux with OpenSSL 3, as .NET itself needs).</summary>
    public static bool IsAvailable() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libssl.so.3", out _) && NativeLibrary.TryLoad("libcrypto.so.3", out _) && AesGcm.IsSupported;

    public static OpenSslServer Create(TlsCertificateFiles identity)
    {
        ERR_clear_error();
        nint context = SSL_CTX_new(TLS_server_method());
        if (context == 0) throw new TlsSetupException("OpenSSL: " + TakeError("SSL_CTX_new failed"));
        try
        {
            Check(SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_3_VERSION, 0) == 1, "cannot require TLS 1.3");
            SSL_CTX_ctrl(context, SSL_CTRL_MODE, (nint)(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER), 0);
            SSL_CTX_ctrl(context, SSL_CTRL_SET_SESS_CACHE_MODE, 0, 0);
            SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
            SSL_CTX_set_num_tickets(context, 0);
            // The record layer after the handshake is the appliance's own (TlsRecordLayer), AES-GCM
            // only: the server picks the suite, so ChaCha20-Poly1305 is simply not offered.
            Check(SSL_CTX_set_ciphersuites(context, TlsCipherSuite.OpenSslList) == 1, "cannot restrict the TLS 1.3 cipher suites");
            SSL_CTX_set_keylog_callback(context, &OpenSslSession.KeyLog);
            Check(SSL_CTX_use_certificate_chain_file(context, identity.CertificatePath) == 1, $"cannot use the certificate in {identity.CertificatePath}");
            Check(SSL_CTX_use_PrivateKey_file(context, identity.KeyPath, SSL_FILETYPE_PEM) == 1, $"cannot use the key in {identity.KeyPath}");
            Check(SSL_CTX_check_private_key(context) == 1, $"the key in {identity.KeyPath} does not belong to the certificate in {identity.CertificatePath}");
            EnsureBioMethod();
            return new OpenSslServer(context);
        }
        catch
        {
            SSL_CTX_free(context);
            throw;
        }
    }

    public ITlsSession CreateSession(OC.Protocol.Framing.ByteBuffer wire)
    {
        ObjectDisposedException.ThrowIf(_context == 0, this);
        return new OpenSslSession(_context, s_bioMethod, wire);
    }

    public void Dispose()
    {
        if (_context == 0) return;
        SSL_CTX_free(_context);
        _context = 0;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok) throw new TlsSetupException(what + ": " + TakeError("OpenSSL gave no reason"));
    }

    /// <summary>The BIO type whose reads and writes are <see cref="OpenSslSession"/>'s callbacks; made once per process.</summary>
    private static void EnsureBioMethod()
    {
        if (s_bioMethod != 0) return;
        nint method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "oc-loop");
        if (method == 0
            || BIO_meth_set_read_ex(method, &OpenSslSession.BioRead) != 1
            || BIO_meth_set_write_ex(method, &OpenSslSession.BioWrite) != 1
            || BIO_meth_set_ctrl(method, &OpenSslSession.BioControl) != 1
            || BIO_meth_set_create(method, &OpenSslSession.BioCreate) != 1)
        {
            throw new TlsSetupException("OpenSSL: cannot make a BIO method: " + TakeError("no reason given"));
        }
        s_bioMethod = method;
    }
}
