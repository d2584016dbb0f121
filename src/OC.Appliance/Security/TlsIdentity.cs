using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OC.Appliance.Net.Tls;
using OC.Appliance.Storage;
using OC.Protocol.Security;

namespace OC.Appliance.Security;

/// <summary>
/// The certificate the appliance presents: its own, made at first start (ECDSA P-256,
/// self-signed, the appliance's name and id in the subject) and kept in the data folder as
/// <c>tls-cert.pem</c> and <c>tls-key.pem</c> (0600), so the fingerprint users trusted survives
/// restarts and upgrades; or one of the owner's PKI (<c>--tls-cert</c>, <c>--tls-key</c>).
/// Clients trust the fingerprint, not a CA, so the validity dates are wide and never checked.
/// </summary>
internal sealed class TlsIdentity
{
    public const string CertificateFileName = "tls-cert.pem";
    public const string KeyFileName = "tls-key.pem";

    private TlsIdentity(string certificatePath, string keyPath, byte[] leafDer, bool own)
    {
        CertificatePath = certificatePath;
        KeyPath = keyPath;
        LeafDer = leafDer;
        IsOwn = own;
        Fingerprint = Fingerprints.Of(leafDer);
    }

    /// <summary>PEM: the leaf first, then any chain.</summary>
    public string CertificatePath { get; }

    /// <summary>PEM, PKCS#8 or the key's own format (whatever OpenSSL reads).</summary>
    public string KeyPath { get; }

    public byte[] LeafDer { get; }

    /// <summary><c>SHA256:</c> and base64 (<see cref="Fingerprints"/>): what users compare.</summary>
    public string Fingerprint { get; }

    /// <summary>True for the certificate the appliance made; false for one given with --tls-cert.</summary>
    public bool IsOwn { get; }

    /// <summary>What the network layer needs of it.</summary>
    public TlsCertificateFiles Files => new(CertificatePath, KeyPath, Fingerprint, IsOwn, ChannelBinding.TlsServerEndPoint(LeafDer));

    /// <summary>The appliance's own certificate in <paramref name="dataDirectory"/>, made now if there is none.</summary>
    public static TlsIdentity LoadOrCreate(string dataDirectory, string applianceName, string applianceId, DateTimeOffset now)
    {
        // Full paths: the start-up log names the file a person at the console looks for.
        string certificatePath = Path.GetFullPath(Path.Combine(dataDirectory, CertificateFileName));
        string keyPath = Path.GetFullPath(Path.Combine(dataDirectory, KeyFileName));
        bool hasCertificate = File.Exists(certificatePath), hasKey = File.Exists(keyPath);
        if (hasCertificate != hasKey)
        {
            // Making a new pair would change the fingerprint every client trusts: say so instead.
            throw new TlsSetupException(
                $"{(hasCertificate ? keyPath : certificatePath)} is missing but {(hasCertificate ? certificatePath : keyPath)} exists: " +
                "restore it from a backup, or delete both to make a new certificate (every client will then see a changed fingerprint)");
        }
        if (!hasCertificate) Create(certificatePath, keyPath, applianceName, applianceId, now);
        return new TlsIdentity(certificatePath, keyPath, ReadLeaf(certificatePath), own: true);
    }

    /// <summary>A certificate of the owner's PKI (--tls-cert, --tls-key): the files are read, never changed.</summary>
    public static TlsIdentity FromFiles(string certificatePath, string keyPath)
    {
        if (!File.Exists(certificatePath)) throw new TlsSetupException($"--tls-cert {certificatePath}: no such file");
        if (!File.Exists(keyPath)) throw new TlsSetupException($"--tls-key {keyPath}: no such file");
        return new TlsIdentity(Path.GetFullPath(certificatePath), Path.GetFullPath(keyPath), ReadLeaf(certificatePath), own: false);
    }

    /// <summary>The fingerprint of the certificate in a data folder, without making one (<c>oc-appliance fingerprint</c>).</summary>
    public static string? ReadFingerprint(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, CertificateFileName);
        return File.Exists(path) ? Fingerprints.Of(ReadLeaf(path)) : null;
    }

    private static byte[] ReadLeaf(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsSetupException($"cannot read {path}: {e.Message}");
        }
        if (!PemEncoding.TryFind(pem, out var fields) || !pem.AsSpan()[fields.Label].SequenceEqual("CERTIFICATE"))
            throw new TlsSetupException($"{path} does not start with a PEM certificate (-----BEGIN CERTIFICATE-----)");
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    private static void Create(string certificatePath, string keyPath, string applianceName, string applianceId, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("OC appliance");
        subject.Add(ApplianceCertificate.IdAttributeOid, applianceId, UniversalTagNumber.UTF8String);
        subject.AddCommonName(applianceName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));

        // The key first: a certificate without its key would stop the next start (see LoadOrCreate).
        WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        WritePrivate(certificatePath, certificate.ExportCertificatePem());
        // The renames themselves are durable before any client sees the fingerprint.
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(certificatePath))!);
    }

    /// <summary>Written 0600 beside, flushed, then renamed into place: never a half-written key.</summary>
    private static void WritePrivate(string path, string pem)
    {
        string temporary = path + ".tmp";
        using (var stream = PrivateFiles.Open(temporary, FileMode.Create, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(pem + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: false);
    }
}
