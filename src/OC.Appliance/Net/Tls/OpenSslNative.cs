using System.Runtime.InteropServices;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// The few OpenSSL 3 calls the appliance's TLS needs, through [LibraryImport] (AOT-clean, no
/// marshalling beyond UTF-8 paths). Macros of the C API (SSL_CTX_set_mode, ...) are their
/// SSL_CTX_ctrl calls. <c>long</c> is 64-bit on the LP64 targets we run on (x64 and arm64 Linux).
/// The same libssl.so.3 is loaded by .NET itself for its own TLS, so nothing new is installed.
/// </summary>
internal static unsafe partial class OpenSslNative
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    public const int SSL_FILETYPE_PEM = 1;
    public const int SSL_CTRL_MODE = 33;
    public const int SSL_CTRL_SET_SESS_CACHE_MODE = 44;
    public const int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
    public const int TLS1_3_VERSION = 0x0304;
    public const long SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1;
    public const long SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
    public const long SSL_MODE_RELEASE_BUFFERS = 0x10;
    public const ulong SSL_OP_NO_TICKET = 1UL << 14;

    public const int SSL_ERROR_SSL = 1;
    public const int SSL_ERROR_WANT_READ = 2;
    public const int SSL_ERROR_WANT_WRITE = 3;
    public const int SSL_ERROR_SYSCALL = 5;
    public const int SSL_ERROR_ZERO_RETURN = 6;

    public const int BIO_TYPE_SOURCE_SINK = 0x0400;
    public const int BIO_FLAGS_READ = 0x01;
    public const int BIO_FLAGS_WRITE = 0x02;
    public const int BIO_FLAGS_IO_SPECIAL = 0x04;
    public const int BIO_FLAGS_SHOULD_RETRY = 0x08;
    public const int BIO_CTRL_FLUSH = 11;

    [LibraryImport(Ssl)] public static partial nint TLS_server_method();
    [LibraryImport(Ssl)] public static partial nint SSL_CTX_new(nint method);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_free(nint ctx);
    [LibraryImport(Ssl)] public static partial nint SSL_CTX_ctrl(nint ctx, int cmd, nint larg, nint parg);
    [LibraryImport(Ssl)] public static partial ulong SSL_CTX_set_options(nint ctx, ulong options);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_set_num_tickets(nint ctx, nuint count);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] public static partial int SSL_CTX_use_certificate_chain_file(nint ctx, string file);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] public static partial int SSL_CTX_use_PrivateKey_file(nint ctx, string file, int type);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_check_private_key(nint ctx);

    [LibraryImport(Ssl)] public static partial nint SSL_new(nint ctx);
    [LibraryImport(Ssl)] public static partial void SSL_free(nint ssl);
    [LibraryImport(Ssl)] public static partial void SSL_set_bio(nint ssl, nint rbio, nint wbio);
    [LibraryImport(Ssl)] public static partial void SSL_set_accept_state(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_read_ex(nint ssl, byte* buffer, nuint count, out nuint read);
    [LibraryImport(Ssl)] public static partial int SSL_write_ex(nint ssl, byte* buffer, nuint count, out nuint written);
    [LibraryImport(Ssl)] public static partial int SSL_get_error(nint ssl, int ret);
    [LibraryImport(Ssl)] public static partial int SSL_is_init_finished(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_shutdown(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_do_handshake(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_get_rbio(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_get_current_cipher(nint ssl);
    [LibraryImport(Ssl)] public static partial ushort SSL_CIPHER_get_protocol_id(nint cipher);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] public static partial int SSL_CTX_set_ciphersuites(nint ctx, string list);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_keylog_callback(nint ctx, delegate* unmanaged[Cdecl]<nint, byte*, void> callback);

    [LibraryImport(Crypto)] public static partial int BIO_get_new_index();
    [LibraryImport(Crypto, StringMarshalling = StringMarshalling.Utf8)] public static partial nint BIO_meth_new(int type, string name);
    [LibraryImport(Crypto)] public static partial int BIO_meth_set_write_ex(nint method, delegate* unmanaged[Cdecl]<nint, byte*, nuint, nuint*, int> write);
    [LibraryImport(Crypto)] public static partial int BIO_meth_set_read_ex(nint method, delegate* unmanaged[Cdecl]<nint, byte*, nuint, nuint*, int> read);
    [LibraryImport(Crypto)] public static partial int BIO_meth_set_ctrl(nint method, delegate* unmanaged[Cdecl]<nint, int, nint, nint, nint> ctrl);
    [LibraryImport(Crypto)] public static partial int BIO_meth_set_create(nint method, delegate* unmanaged[Cdecl]<nint, int> create);
    [LibraryImport(Crypto)] public static partial nint BIO_new(nint method);
    [LibraryImport(Crypto)] public static partial void BIO_set_data(nint bio, nint data);
    [LibraryImport(Crypto)] public static partial nint BIO_get_data(nint bio);
    [LibraryImport(Crypto)] public static partial void BIO_set_init(nint bio, int init);
    [LibraryImport(Crypto)] public static partial void BIO_set_flags(nint bio, int flags);
    [LibraryImport(Crypto)] public static partial void BIO_clear_flags(nint bio, int flags);
    [LibraryImport(Crypto)] public static partial int BIO_free(nint bio);

    [LibraryImport(Crypto)] public static partial ulong ERR_get_error();
    [LibraryImport(Crypto)] public static partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);
    [LibraryImport(Crypto)] public static partial void ERR_clear_error();

    /// <summary>The oldest error on this thread's OpenSSL queue as text (the queue is emptied), or <paramref name="otherwise"/>.</summary>
    public static string TakeError(string otherwise)
    {
        ulong first = ERR_get_error();
        if (first == 0) return otherwise;
        while (ERR_get_error() != 0) { }
        byte* text = stackalloc byte[256];
        ERR_error_string_n(first, text, 256);
        return Marshal.PtrToStringUTF8((nint)text) ?? otherwise;
    }
}
