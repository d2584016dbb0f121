using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OC.Protocol.Framing;
using static OC.Appliance.Net.Tls.OpenSslNative;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// One connection's SSL object. Its read BIO serves the ciphertext given to <see cref="Feed"/>
/// straight from the loop's receive buffer, its write BIO appends to the connection's wire
/// buffer: OpenSSL holds no ciphertext of its own between calls. Loop thread only (OpenSSL's
/// error queue is per thread, and the callbacks find this object through the BIO).
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

    public bool IsHandshakeDone => _ssl != 0 && SSL_is_init_finished(_ssl) == 1;

    public string? Error { get; private set; }

    public void Feed(byte[] buffer, int offset, int count)
    {
        _feed = buffer;
        _feedOffset = offset;
        _feedCount = count;
    }

    public int Decrypt(Span<byte> plain)
    {
        if (_failed) return -1;
        ERR_clear_error();
        int total = 0;
        fixed (byte* start = plain)
        {
            while (total < plain.Length)
            {
                if (SSL_read_ex(_ssl, start + total, (nuint)(plain.Length - total), out nuint read) == 1)
                {
                    total += (int)read;
                    continue;
                }
                int error = SSL_get_error(_ssl, 0);
                if (error == SSL_ERROR_WANT_READ) break;
                Fail(error == SSL_ERROR_ZERO_RETURN ? "closed by peer (TLS close_notify)" : "TLS: " + TakeError(error == SSL_ERROR_SYSCALL ? "the peer broke the TLS stream" : "TLS failed"));
                break;
            }
        }
        // After WANT_READ everything fed has been read (OpenSSL asks for more only then); with
        // the plaintext buffer full, the rest waits for the next call.
        if (_feedCount == 0) _feed = null;
        if (total > 0) return total;
        return _failed ? -1 : 0;
    }

    public bool Encrypt(ReadOnlySpan<byte> plain)
    {
        if (_failed) return false;
        ERR_clear_error();
        fixed (byte* start = plain)
        {
            int offset = 0;
            while (offset < plain.Length)
            {
                if (SSL_write_ex(_ssl, start + offset, (nuint)(plain.Length - offset), out nuint written) == 1)
                {
                    offset += (int)written;
                    continue;
                }
                // The write BIO takes everything, so only a failure (or a write before the handshake) ends here.
                Fail("TLS: " + TakeError("cannot encrypt"));
                return false;
            }
        }
        return true;
    }

    public void Dispose()
    {
        if (_ssl == 0) return;
        SSL_free(_ssl);
        _ssl = 0;
        _self.Free();
    }

    private void Fail(string why)
    {
        _failed = true;
        Error ??= why;
    }

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
