using OC.CliClient;
using OC.CliClient.Config;
using OC.Protocol.Security;

namespace OC.Tests.Cli;

/// <summary>known-appliances.json: what oc remembers of the appliances it trusts.</summary>
public sealed class TrustStoreTests : IDisposable
{
    internal static readonly string FingerprintA = Fingerprints.Of("certificate A"u8);
    internal static readonly string FingerprintB = Fingerprints.Of("certificate B"u8);
    private static readonly DateTimeOffset s_monday = new(2026, 1, 5, 9, 30, 0, TimeSpan.Zero);

    private readonly TempFolder _temp = new();
    private readonly TrustStore _store;

    public TrustStoreTests() => _store = new TrustStore(new ConfigFolder(Path.Combine(_temp.Path, "oc")));

    public void Dispose() => _temp.Dispose();

    private static TrustedAppliance Office(string fingerprint = "", string address = "192.0.2.20:6677", DateTimeOffset? seen = null) =>
        new("3f0c9a0b1c2d3e4f5a6b7c8d9e0f1a2b", "office", address, fingerprint.Length > 0 ? fingerprint : FingerprintA, seen ?? s_monday);

    [Fact]
    public void Without_a_file_nothing_is_trusted_and_a_remembered_appliance_reads_back()
    {
        Assert.Empty(_store.Load());
        _store.Remember(Office());
        Assert.Equal([Office()], _store.Load());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store.Path));
        }
    }

    [Fact]
    public void The_file_is_readable_json_with_id_name_address_fingerprint_and_first_seen()
    {
        // A fingerprint with + and /, which people compare by eye: written as it is, not as \u002B.
        const string fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        _store.Remember(Office(fingerprint));
        string json = File.ReadAllText(_store.Path);
        foreach (var part in new[] { "\"appliances\"", "\"id\": \"3f0c9a0b1c2d3e4f5a6b7c8d9e0f1a2b\"", "\"name\": \"office\"",
            "\"address\": \"192.0.2.20:6677\"", $"\"fingerprint\": \"{fingerprint}\"", "\"firstSeen\": \"2026-01-05T09:30:00+00:00\"" })
        {
            Assert.Contains(part, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_appliance_is_one_entry_per_id_wherever_it_is_and_keeps_its_first_seen_time()
    {
        _store.Remember(Office());
        _store.Remember(Office(address: "192.0.2.99:6677", seen: s_monday.AddDays(3)));
        var only = Assert.Single(_store.Load());
        Assert.Equal("192.0.2.99:6677", only.Address);
        Assert.Equal(s_monday, only.FirstSeen);

        // A new fingerprint for the same id (after oc servers forget and a new first use) is a new first-seen time.
        _store.Remember(Office(FingerprintB, seen: s_monday.AddDays(7)));
        only = Assert.Single(_store.Load());
        Assert.Equal(FingerprintB, only.Fingerprint);
        Assert.Equal(s_monday.AddDays(7), only.FirstSeen);
    }

    [Fact]
    public void A_certificate_without_an_id_is_known_by_its_address()
    {
        var pki = new TrustedAppliance(null, "chat.example.org", "chat.example.org:6677", FingerprintA, s_monday);
        _store.Remember(pki);
        _store.Remember(Office(FingerprintB, address: "chat.example.org:6677"));
        _store.Remember(pki with { Fingerprint = FingerprintB, Name = "renewed" });

        var known = _store.Load();
        Assert.Equal(2, known.Count);
        Assert.Null(TrustStore.FindById(known, null));
        var renewed = known.Single(k => k.Id is null);
        Assert.Equal(("renewed", FingerprintB, s_monday), (renewed.Name, renewed.Fingerprint, renewed.FirstSeen));
        Assert.Same(known.Single(k => k.Id is not null), TrustStore.FindById(known, "3F0C9A0B1C2D3E4F5A6B7C8D9E0F1A2B"));
        Assert.NotNull(TrustStore.FindByAddress(known, new ServerAddress("CHAT.example.org", 6677)));
        Assert.Null(TrustStore.FindByAddress(known, new ServerAddress("chat.example.org", 6678)));
    }

    [Theory]
    [InlineData("office")]
    [InlineData("OFFICE")]
    [InlineData("3f0c9a0b1c2d3e4f5a6b7c8d9e0f1a2b")]
    [InlineData("192.0.2.20")]
    [InlineData("192.0.2.20:6677")]
    public void Forget_takes_a_name_an_id_or_an_address(string what)
    {
        _store.Remember(Office());
        _store.Remember(new TrustedAppliance("aa", "lab", "192.0.2.30:7000", FingerprintB, s_monday));

        var forgotten = _store.Forget(what);

        Assert.Equal("office", Assert.Single(forgotten).Name);
        Assert.Equal("lab", Assert.Single(_store.Load()).Name);
    }

    [Fact]
    public void Forget_of_nothing_trusted_removes_nothing()
    {
        _store.Remember(Office());
        Assert.Empty(_store.Forget("lab"));
        Assert.Empty(_store.Forget("192.0.2.20:7000"));
        Assert.Single(_store.Load());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"appliances\":[{\"address\":\"192.0.2.20:6677\",\"fingerprint\":\"SHA256:short\",\"firstSeen\":\"2026-01-05T09:30:00Z\"}]}")]
    [InlineData("{\"appliances\":[{\"address\":\"::bad::\",\"fingerprint\":\"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\",\"firstSeen\":\"2026-01-05T09:30:00Z\"}]}")]
    public void A_damaged_file_is_an_error_never_an_empty_list(string contents)
    {
        // Reading it as "nothing trusted" would turn a changed certificate into a first connection.
        Directory.CreateDirectory(Path.GetDirectoryName(_store.Path)!);
        File.WriteAllText(_store.Path, contents);
        var e = Assert.Throws<CliException>(() => _store.Load());
        Assert.Contains("is damaged", e.Message, StringComparison.Ordinal);
        Assert.Throws<CliException>(() => _store.Remember(Office()));
        Assert.Equal(contents, File.ReadAllText(_store.Path));
    }
}
