using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OC.Appliance.Net.Tls;

/// <summary>
/// One direction of a TLS 1.3 connection after its handshake: the application traffic secret, the
/// key and IV derived from it (RFC 8446 §7.3), and the record sequence number. The AES-GCM object
/// is made when a record is sealed or opened and let go by <see cref="Trim"/> while the connection
/// is idle: its native context (key schedule, GHASH table) is most of what this direction costs.
/// </summary>
internal sealed class TrafficKeys : IDisposable
{
    public const int IvLength = 12;
    public const int TagLength = 16;

    private readonly HashAlgorithmName _hash;
    private readonly byte[] _secret;
    private readonly byte[] _key;
    private readonly byte[] _iv = new byte[IvLength];
    private AesGcm? _aead;

    public TrafficKeys(TlsCipherSuite suite, ReadOnlySpan<byte> secret)
    {
        _hash = suite.Hash;
        _secret = secret.ToArray();
        _key = new byte[suite.KeyLength];
        Derive();
    }

    /// <summary>Records sealed or opened with the current key; the nonce of the next one.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>
    /// Seals <paramref name="record"/>[5..^16] in place: it holds the inner plaintext (content, type,
    /// padding) after the 5-byte header, which is the additional data; the tag goes in the last 16.
    /// </summary>
    public void Seal(Span<byte> record)
    {
        Span<byte> nonce = stackalloc byte[IvLength];
        NextNonce(nonce);
        var body = record[5..^TagLength];
        Aead.Encrypt(nonce, body, body, record[^TagLength..], record[..5]);
    }

    /// <summary>Opens a whole record (header, ciphertext, tag) into <paramref name="plain"/>; false when it is not authentic.</summary>
    public bool Open(ReadOnlySpan<byte> record, Span<byte> plain)
    {
        Span<byte> nonce = stackalloc byte[IvLength];
        NextNonce(nonce);
        try
        {
            Aead.Decrypt(nonce, record[5..^TagLength], record[^TagLength..], plain[..(record.Length - 5 - TagLength)], record[..5]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>
    /// The next generation (KeyUpdate, RFC 8446 §7.2): application_traffic_secret_N+1 =
    /// HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length), new key and IV, sequence 0.
    /// </summary>
    public void Update()
    {
        Span<byte> next = stackalloc byte[_secret.Length];
        ExpandLabel(_hash, _secret, "traffic upd"u8, next);
        next.CopyTo(_secret);
        CryptographicOperations.ZeroMemory(next);
        Derive();
    }

    /// <summary>Lets the AES-GCM context go (made again on the next record): for an idle connection.</summary>
    public void Trim()
    {
        _aead?.Dispose();
        _aead = null;
    }

    public void Dispose()
    {
        Trim();
        CryptographicOperations.ZeroMemory(_secret);
        CryptographicOperations.ZeroMemory(_key);
    }

    private AesGcm Aead => _aead ??= new AesGcm(_key, TagLength);

    private void Derive()
    {
        Trim();
        ExpandLabel(_hash, _secret, "key"u8, _key);
        ExpandLabel(_hash, _secret, "iv"u8, _iv);
        Sequence = 0;
    }

    /// <summary>RFC 8446 §5.3: the IV XOR the sequence number, big-endian, padded on the left to 12 bytes.</summary>
    private void NextNonce(Span<byte> nonce)
    {
        // 2^64 records cannot happen on one connection (at 16 KiB each, 2^78 bytes); the check keeps the nonce unique regardless.
        if (Sequence == ulong.MaxValue) throw new CryptographicException("TLS record sequence exhausted");
        _iv.CopyTo(nonce);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ Sequence;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], low);
        Sequence++;
    }

    /// <summary>
    /// HKDF-Expand-Label(Secret, Label, "", Length) of RFC 8446 §7.1: HKDF-Expand with the info
    /// struct { uint16 length; opaque label&lt;7..255&gt; = "tls13 " + Label; opaque context&lt;0..255&gt; = "" }.
    /// </summary>
    public static void ExpandLabel(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> label, Span<byte> output)
    {
        ReadOnlySpan<byte> prefix = "tls13 "u8;
        Span<byte> info = stackalloc byte[2 + 1 + prefix.Length + label.Length + 1];
        BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)output.Length);
        info[2] = (byte)(prefix.Length + label.Length);
        prefix.CopyTo(info[3..]);
        label.CopyTo(info[(3 + prefix.Length)..]);
        info[^1] = 0;
        HKDF.Expand(hash, secret, output, info);
    }
}

/// <summary>The TLS 1.3 cipher suites the appliance's own record layer serves: the AES-GCM ones (RFC 8446 §B.4).</summary>
internal readonly record struct TlsCipherSuite(ushort Id, HashAlgorithmName Hash, int KeyLength)
{
    public static readonly TlsCipherSuite Aes128GcmSha256 = new(0x1301, HashAlgorithmName.SHA256, 16);
    public static readonly TlsCipherSuite Aes256GcmSha384 = new(0x1302, HashAlgorithmName.SHA384, 32);

    /// <summary>What the server offers OpenSSL to choose from (SSL_CTX_set_ciphersuites): ChaCha20-Poly1305 is left out.</summary>
    public const string OpenSslList = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384";

    public int HashLength => Hash == HashAlgorithmName.SHA384 ? 48 : 32;

    public static TlsCipherSuite? FromId(ushort id) => id switch
    {
        0x1301 => Aes128GcmSha256,
        0x1302 => Aes256GcmSha384,
        _ => null,
    };
}
