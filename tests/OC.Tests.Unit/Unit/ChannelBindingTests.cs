using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OC.Protocol.Security;

namespace OC.Tests.Unit;

/// <summary>tls-server-end-point (RFC 5929 §4.1) of certificates made here, one per signature hash.</summary>
public sealed class ChannelBindingTests
{
    [Fact]
    public void Ecdsa_P256_with_SHA256_hashes_with_SHA256()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = SelfSigned(new CertificateRequest("CN=oc-appliance", key, HashAlgorithmName.SHA256));

        Assert.Equal("1.2.840.10045.4.3.2", SignatureOid(der));
        Assert.Equal(SHA256.HashData(der), ChannelBinding.TlsServerEndPoint(der));
    }

    [Fact]
    public void Ecdsa_P384_with_SHA384_hashes_with_SHA384()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var der = SelfSigned(new CertificateRequest("CN=oc-appliance", key, HashAlgorithmName.SHA384));

        Assert.Equal("1.2.840.10045.4.3.3", SignatureOid(der));
        var binding = ChannelBinding.TlsServerEndPoint(der);
        Assert.Equal(48, binding.Length);
        Assert.Equal(SHA384.HashData(der), binding);
    }

    [Fact]
    public void Ecdsa_with_SHA512_hashes_with_SHA512()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var der = SelfSigned(new CertificateRequest("CN=oc-appliance", key, HashAlgorithmName.SHA512));

        Assert.Equal(SHA512.HashData(der), ChannelBinding.TlsServerEndPoint(der));
        Assert.Equal(ChannelBinding.MaxLength, ChannelBinding.TlsServerEndPoint(der).Length);
    }

    [Fact]
    public void Rsa_with_SHA1_hashes_with_SHA256_as_RFC_5929_says()
    {
        // .NET's own generator refuses SHA-1 by now, so the signature is made by hand.
        using var key = RSA.Create(2048);
        var generator = new RsaSha1SignatureGenerator(key);
        var request = new CertificateRequest(new X500DistinguishedName("CN=oc-appliance"), generator.PublicKey, HashAlgorithmName.SHA1);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(request.SubjectName, generator, now.AddDays(-1), now.AddDays(1), [1, 2, 3, 4]);
        var der = certificate.RawData;

        Assert.Equal("1.2.840.113549.1.1.5", SignatureOid(der));
        Assert.Equal(SHA256.HashData(der), ChannelBinding.TlsServerEndPoint(der));
    }

    [Fact]
    public void Rsa_with_SHA384_hashes_with_SHA384()
    {
        using var key = RSA.Create(2048);
        var der = SelfSigned(new CertificateRequest("CN=oc-appliance", key, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1));

        Assert.Equal(SHA384.HashData(der), ChannelBinding.TlsServerEndPoint(der));
    }

    [Fact]
    public void Rsa_PSS_takes_the_hash_from_its_parameters()
    {
        using var key = RSA.Create(2048);
        var sha384 = SelfSigned(new CertificateRequest("CN=oc-appliance", key, HashAlgorithmName.SHA384, RSASignaturePadding.Pss));
        var sha256 = SelfSigned(new CertificateRequest("CN=oc-appliance", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));

        Assert.Equal("1.2.840.113549.1.1.10", SignatureOid(sha384));
        Assert.Equal(SHA384.HashData(sha384), ChannelBinding.TlsServerEndPoint(sha384));
        Assert.Equal(SHA256.HashData(sha256), ChannelBinding.TlsServerEndPoint(sha256));
    }

    [Fact]
    public void An_algorithm_without_a_defined_hash_falls_back_to_SHA256()
    {
        // Ed25519 (1.3.101.112) signs without a separate hash: RFC 5929 leaves it undefined.
        var der = FakeCertificate("1.3.101.112");

        Assert.Equal(SHA256.HashData(der), ChannelBinding.TlsServerEndPoint(der));
    }

    [Fact]
    public void Two_certificates_give_two_bindings()
    {
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.NotEqual(
            ChannelBinding.TlsServerEndPoint(SelfSigned(new CertificateRequest("CN=oc-appliance", first, HashAlgorithmName.SHA256))),
            ChannelBinding.TlsServerEndPoint(SelfSigned(new CertificateRequest("CN=oc-appliance", second, HashAlgorithmName.SHA256))));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30 })]
    [InlineData(new byte[] { 0x30, 0x00 })]
    [InlineData(new byte[] { 0x04, 0x01, 0x00 })]
    public void Bytes_that_are_no_certificate_are_refused_with_a_CryptographicException(byte[] der)
    {
        Assert.Throws<CryptographicException>(() => ChannelBinding.TlsServerEndPoint(der));
    }

    [Fact]
    public void Bytes_after_the_certificate_are_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] der = [.. SelfSigned(new CertificateRequest("CN=oc-appliance", key, HashAlgorithmName.SHA256)), 0];

        Assert.Throws<CryptographicException>(() => ChannelBinding.TlsServerEndPoint(der));
    }

    private static byte[] SelfSigned(CertificateRequest request)
    {
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        return certificate.RawData;
    }

    private static string SignatureOid(byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        return certificate.SignatureAlgorithm.Value!;
    }

    // sha1WithRSAEncryption (RFC 3279 §2.2.1), which CertificateRequest no longer signs with.
    private sealed class RsaSha1SignatureGenerator(RSA key) : X509SignatureGenerator
    {
        private readonly X509SignatureGenerator _rsa = CreateForRSA(key, RSASignaturePadding.Pkcs1);

        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.5");
                writer.WriteNull();
            }

            return writer.Encode();
        }

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
            key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => _rsa.PublicKey;
    }

    // The outline of a certificate: SEQUENCE { tbsCertificate, AlgorithmIdentifier { oid }, BIT STRING }.
    private static byte[] FakeCertificate(string signatureOid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
            }

            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(signatureOid);
            }

            writer.WriteBitString([1, 2, 3]);
        }

        return writer.Encode();
    }
}
