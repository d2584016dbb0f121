using System.Formats.Asn1;
using System.Security.Cryptography;

namespace OC.Protocol.Security;

/// <summary>
/// The <c>tls-server-end-point</c> channel binding (RFC 5929 §4): a hash of the TLS server's
/// certificate. Both ends compute it, the appliance from its own certificate and the client from
/// the certificate it was shown; SCRAM-SHA-256-PLUS puts it under the client's proof, so a login
/// relayed through someone else's certificate does not verify (docs/protocol.md, "Login").
/// </summary>
public static class ChannelBinding
{
    /// <summary>The channel-binding type name as it appears in the GS2 header (RFC 5929 §4.2).</summary>
    public const string TlsServerEndPointName = "tls-server-end-point";

    /// <summary>Longest channel-binding data accepted: a SHA-512 hash.</summary>
    public const int MaxLength = 64;

    // RFC 5929 §4.1: MD5 and SHA-1 become SHA-256, every other single hash is used as it is.
    private const string Md5WithRsa = "1.2.840.113549.1.1.4";
    private const string Sha1WithRsa = "1.2.840.113549.1.1.5";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    private const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    private const string Sha512WithRsa = "1.2.840.113549.1.1.13";
    private const string EcdsaWithSha1 = "1.2.840.10045.4.1";
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    private const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";
    private const string DsaWithSha1 = "1.2.840.10040.4.3";
    private const string DsaWithSha256 = "2.16.840.1.101.3.4.3.2";
    private const string Sha1 = "1.3.14.3.2.26";
    private const string Sha256 = "2.16.840.1.101.3.4.2.1";
    private const string Sha384 = "2.16.840.1.101.3.4.2.2";
    private const string Sha512 = "2.16.840.1.101.3.4.2.3";

    /// <summary>
    /// The <c>tls-server-end-point</c> data of a certificate (RFC 5929 §4.1): the hash of its DER
    /// encoding with the hash function of its signatureAlgorithm, SHA-256 where that is MD5 or
    /// SHA-1 (or unknown, see <see cref="HashOf"/>). Throws <see cref="CryptographicException"/>
    /// when the bytes are not a DER X.509 certificate.
    /// </summary>
    public static byte[] TlsServerEndPoint(ReadOnlySpan<byte> certificateDer)
    {
        var hash = HashOf(certificateDer);
        if (hash == HashAlgorithmName.SHA384) return SHA384.HashData(certificateDer);
        if (hash == HashAlgorithmName.SHA512) return SHA512.HashData(certificateDer);
        return SHA256.HashData(certificateDer);
    }

    /// <summary>
    /// The hash RFC 5929 §4.1 picks for a certificate. Known signature algorithms with SHA-384 or
    /// SHA-512 (RSA PKCS#1, RSA-PSS, ECDSA) give that hash; every other one gives SHA-256: MD5 and
    /// SHA-1 by the RFC, SHA-256 itself, and the rest because the RFC leaves them undefined
    /// (Ed25519 and Ed448 sign without a separate hash) or .NET has no portable implementation
    /// (SHA-224, SHA3). That is safe for OC, where both ends of a login compute the binding with
    /// this same method: all that must hold is that two different certificates give different
    /// data, which SHA-256 gives. Another SCRAM implementation facing such a certificate might
    /// choose differently; an OC appliance's own certificate is ECDSA P-256 with SHA-256.
    /// </summary>
    internal static HashAlgorithmName HashOf(ReadOnlySpan<byte> certificateDer)
    {
        const AsnEncodingRules Der = AsnEncodingRules.DER;
        try
        {
            // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
            // AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL } (RFC 5280 §4.1)
            AsnDecoder.ReadSequence(certificateDer, Der, out int offset, out int length, out int consumed);
            if (consumed != certificateDer.Length) throw new AsnContentException("Bytes follow the certificate.");
            var certificate = certificateDer.Slice(offset, length);
            AsnDecoder.ReadEncodedValue(certificate, Der, out _, out _, out int tbsLength);
            var afterTbs = certificate[tbsLength..];
            AsnDecoder.ReadSequence(afterTbs, Der, out offset, out length, out _);
            var algorithm = afterTbs.Slice(offset, length);
            string oid = AsnDecoder.ReadObjectIdentifier(algorithm, Der, out int oidLength);
            return oid switch
            {
                Sha384WithRsa or EcdsaWithSha384 => HashAlgorithmName.SHA384,
                Sha512WithRsa or EcdsaWithSha512 => HashAlgorithmName.SHA512,
                RsaPss => PssHash(algorithm[oidLength..]),
                Md5WithRsa or Sha1WithRsa or EcdsaWithSha1 or DsaWithSha1 => HashAlgorithmName.SHA256,
                Sha256WithRsa or EcdsaWithSha256 or DsaWithSha256 => HashAlgorithmName.SHA256,
                _ => HashAlgorithmName.SHA256,
            };
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("The bytes are not a DER X.509 certificate.", e);
        }
    }

    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... } (RFC 4055 §3.1).
    // A certificate signed with PSS must carry the parameters; SHA-1 (the default) becomes SHA-256.
    private static HashAlgorithmName PssHash(ReadOnlySpan<byte> parameters)
    {
        const AsnEncodingRules Der = AsnEncodingRules.DER;
        if (parameters.IsEmpty) return HashAlgorithmName.SHA256;
        AsnDecoder.ReadSequence(parameters, Der, out int offset, out int length, out _);
        var pss = parameters.Slice(offset, length);
        var hashTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (pss.IsEmpty || Asn1Tag.Decode(pss, out _) != hashTag) return HashAlgorithmName.SHA256;
        AsnDecoder.ReadSequence(pss, Der, out offset, out length, out _, hashTag);
        var explicitHash = pss.Slice(offset, length);
        AsnDecoder.ReadSequence(explicitHash, Der, out offset, out length, out _);
        return AsnDecoder.ReadObjectIdentifier(explicitHash.Slice(offset, length), Der, out _) switch
        {
            Sha384 => HashAlgorithmName.SHA384,
            Sha512 => HashAlgorithmName.SHA512,
            Sha1 or Sha256 => HashAlgorithmName.SHA256,
            _ => HashAlgorithmName.SHA256,
        };
    }
}
