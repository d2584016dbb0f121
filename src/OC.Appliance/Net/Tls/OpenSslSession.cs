using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OC.Protocol.Framing;
using static OC.Appliance.Net.Tls.OpenSslNative;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// One connection's TLS: OpenSSL's SSL object for the handshake, then the appliance's own record
/// layer. During the handshake the read BIO serves the ciphertext given to <see cref="Feed"/>
/// straight from the loop's receive buffer and the write BIO appends to the connection's wire
/// buffer, so OpenSSL holds no ciphertext of its own between calls. Once SSL_do_handshake
/// completes (the client's Finished read, nothing more: the records after it are still in the
/// feed), the application traffic secrets OpenSSL reported through the key log become a
/// <see cref="TlsRecordLayer"/> and the SSL object is freed: an established connection holds no
/// OpenSSL state at all. Loop thread only (OpenSSL's error queue is per thread, and the callbacks
/// find this object through the BIO).
/// </summary>
internal sealed unsafe class OpenSslSession : ITlsSession
{
    private const int RetryFlags = BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_IO_SPECIAL | BIO_FLAGS_SHOULD_RETRY;

    private readonly ByteBuffer _wire;
    private GCHandle _self;
    private nint _ssl;
    private byte[]? _feed;
    private int _feedOffset;
    private int _feedCount;
    private bool _failed;

    // The application traffic secrets, from the key log during the handshake; wiped once the record layer has them.
    private byte[]? _clientSecret;
    private byte[]? _serverSecret;
    private TlsRecordLayer? _records;

    public OpenSslSession(nint context, nint bioMethod, ByteBuffer wire)
    {
        _wire = wire;
        _self = GCHandle.Alloc(this);
        _ssl = SSL_new(context);
        nint read = _ssl == 0 ? 0 : BIO_new(bioMethod);
        nint write = read == 0 ? 0 : BIO_new(bioMethod);
        if (write == 0)
        {
            if (read != 0) BIO_free(read);
            if (_ssl != 0) SSL_free(_ssl);
            _self.Free();
            throw new OutOfMemoryException("OpenSSL: " + TakeError("cannot make a TLS session"));
        }
        BIO_set_data(read, GCHandle.ToIntPtr(_self));
        BIO_set_data(write, GCHandle.ToIntPtr(_self));
        // The SSL object owns one reference to each from here on, and frees them with itself.
        SSL_set_bio(_ssl, read, write);
        SSL_set_accept_state(_ssl);
    }

    public bool IsHandshakeDone => _records is not null;

    public string? Error => _records?.Error ?? _error;
    private string? _error;

    /// <summary>The record layer once the handshake is done (tests look at its key generations).</summary>
    internal TlsRecordLayer? Records => _records;

    public int HeldBytes => _records?.HeldBytes ?? 0;

    // OpenSSL produces no plaintext here (the handshake only), and the record layer's partial record is counted in HeldBytes.
    public int ReadSlack => 0;

    public void Feed(byte[] buffer, int offset, int count)
    {
        if (_records is not null)
        {
            _records.Feed(buffer, offset, count);
            return;
        }
        _feed = buffer;
        _feedOffset = offset;
        _feedCount = count;
    }

    public int Decrypt(Span<byte> plain)
    {
        if (_failed) return -1;
        if (_records is null && !Handshake()) return _failed ? -1 : 0;
        return _records!.Decrypt(plain);
    }

    public bool Encrypt(ReadOnlySpan<byte> plain) => !_failed && _records is not null && _records.Encrypt(plain);

    public void TrimIfIdle() => _records?.TrimIfIdle();

    /// <summary>
    /// Works the handshake off with what was fed; true once it completed, the SSL object was
    /// freed and the rest of the feed went to the record layer. The server's last flight was
    /// written (to the wire buffer, synchronously) inside the SSL_do_handshake call that read
    /// the ClientHello; with no tickets, nothing more is written at the end.
    /// </summary>
    private bool Handshake()
    {
        ERR_clear_error();
        int result = SSL_do_handshake(_ssl);
        if (result != 1)
        {
            int error = SSL_get_error(_ssl, result);
            if (error != SSL_ERROR_WANT_READ)
                Fail(error == SSL_ERROR_ZERO_RETURN ? "closed by peer (TLS close_notify)" : "TLS: " + TakeError(error == SSL_ERROR_SYSCALL ? "the peer broke the TLS stream" : "TLS handshake failed"));
            if (_feedCount == 0) _feed = null;
            return false;
        }
        var suite = TlsCipherSuite.FromId(SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(_ssl)));
        if (suite is null || _clientSecret is null || _serverSecret is null
            || _clientSecret.Length != suite.Value.HashLength || _serverSecret.Length != suite.Value.HashLength)
        {
            Fail("TLS: the handshake ended without AES-GCM traffic secrets");
            return false;
        }
        _records = new TlsRecordLayer(suite.Value, _clientSecret, _serverSecret, _wire);
        CryptographicOperations.ZeroMemory(_clientSecret);
        CryptographicOperations.ZeroMemory(_serverSecret);
        _clientSecret = _serverSecret = null;
        var rest = _feed;
        int offset = _feedOffset, count = _feedCount;
        FreeSsl();
        if (rest is not null && count > 0) _records.Feed(rest, offset, count);
        return true;
    }

    private void FreeSsl()
    {
        if (_ssl == 0) return;
        SSL_free(_ssl);
        _ssl = 0;
        _self.Free();
        _feed = null;
        _feedCount = 0;
    }

    public void Dispose()
    {
        _failed = true;
        FreeSsl();
        _records?.Dispose();
        if (_clientSecret is not null) CryptographicOperations.ZeroMemory(_clientSecret);
        if (_serverSecret is not null) CryptographicOperations.ZeroMemory(_serverSecret);
    }

    private void Fail(string why)
    {
        _failed = true;
        _error ??= why;
    }

    /// <summary>
    /// OpenSSL's key log (SSL_CTX_set_keylog_callback), the supported way to learn the TLS 1.3
    /// traffic secrets: lines "CLIENT_TRAFFIC_SECRET_0 &lt;client random&gt; &lt;secret&gt;" in hex.
    /// Only the two application secrets are kept, in this session; nothing is logged.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static void KeyLog(nint ssl, byte* line)
    {
        var session = From(SSL_get_rbio(ssl));
        if (session is null) return;
        var text = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(line);
        if (text.StartsWith("CLIENT_TRAFFIC_SECRET_0 "u8)) session._clientSecret = SecretOf(text);
        else if (text.StartsWith("SERVER_TRAFFIC_SECRET_0 "u8)) session._serverSecret = SecretOf(text);
    }

    /// <summary>The hex after the line's last space, as bytes (null when it is no even run of hex).</summary>
    private static byte[]? SecretOf(ReadOnlySpan<byte> line)
    {
        var hex = line[(line.LastIndexOf((byte)' ') + 1)..];
        if (hex.Length == 0 || hex.Length % 2 != 0 || hex.Length > 2 * 64) return null;
        var secret = new byte[hex.Length / 2];
        for (int i = 0; i < secret.Length; i++)
        {
            int high = HexValue(hex[2 * i]), low = HexValue(hex[2 * i + 1]);
            if (high < 0 || low < 0) return null;
            secret[i] = (byte)((high << 4) | low);
        }
        return secret;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static OpenSslSession? From(nint bio)
    {
        nint data = BIO_get_data(bio);
        return data == 0 ? null : GCHandle.FromIntPtr(data).Target as OpenSslSession;
    }

    // The callbacks run inside SSL_read_ex and SSL_write_ex on the loop thread. No exception may
    // leave them (it would end the process): every path returns a value.

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static int BioRead(nint bio, byte* buffer, nuint size, nuint* read)
    {
        BIO_clear_flags(bio, RetryFlags);
        *read = 0;
        var session = From(bio);
        if (session is null) return 0;
        int n = (int)Math.Min((nuint)session._feedCount, size);
        if (n == 0 || session._feed is null)
        {
            BIO_set_flags(bio, BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY);
            return 0;
        }
        session._feed.AsSpan(session._feedOffset, n).CopyTo(new Span<byte>(buffer, n));
        session._feedOffset += n;
        session._feedCount -= n;
        *read = (nuint)n;
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static int BioWrite(nint bio, byte* buffer, nuint size, nuint* written)
    {
        BIO_clear_flags(bio, RetryFlags);
        *written = 0;
        var session = From(bio);
        if (session is null || size > int.MaxValue) return 0;
        try
        {
            session._wire.Write(new ReadOnlySpan<byte>(buffer, (int)size));
        }
        catch (OutOfMemoryException)
        {
            return 0;
        }
        *written = size;
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static nint BioControl(nint bio, int command, nint number, nint pointer) => command == BIO_CTRL_FLUSH ? 1 : 0;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static int BioCreate(nint bio)
    {
        BIO_set_init(bio, 1);
        return 1;
    }
}
