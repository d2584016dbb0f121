using System.Text.Json;
using System.Text.Json.Serialization;
using OC.Protocol.Security;

namespace OC.CliClient.Config;

/// <summary>
/// An appliance whose certificate the user trusts: its fingerprint, remembered under the appliance
/// id its certificate carries (null for a certificate of another PKI, which is then known by its
/// address alone), with the name and the address it was last reached at, and when it was first trusted.
/// </summary>
internal sealed record TrustedAppliance(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("firstSeen")] DateTimeOffset FirstSeen)
{
    /// <summary>The address as a <see cref="ServerAddress"/> (checked when the file is read).</summary>
    [JsonIgnore]
    public ServerAddress Server => ServerAddress.TryParse(Address, out var server, out _) ? server : default;

    /// <summary>What <c>oc servers forget</c> is best given to remove this one: its name, else its id, else its address.</summary>
    [JsonIgnore]
    public string Label => Name is { Length: > 0 } ? Name : Id ?? Address;
}

/// <summary>The file: <c>{"appliances":[...]}</c>, one entry per appliance.</summary>
internal sealed record TrustFile([property: JsonPropertyName("appliances")] IReadOnlyList<TrustedAppliance> Appliances);

/// <summary>The trust file is read and written without reflection (NativeAOT).</summary>
[JsonSerializable(typeof(TrustFile))]
internal sealed partial class TrustJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Indented, with fingerprints as they are (<c>+</c> and <c>/</c> rather than <c>\u002B</c>):
    /// people read this file and compare what is in it. It never goes into HTML.
    /// </summary>
    public static TrustJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>
/// The appliances whose certificates the user trusts (<c>known-appliances.json</c> in the config
/// folder, like SSH's known_hosts): what oc compares every appliance's certificate with before it
/// sends anything. Replaced atomically; each change reads the file afresh just before writing, so
/// two oc processes lose at most the other's change of the same moment (that one asks again).
/// </summary>
internal sealed class TrustStore(ConfigFolder folder)
{
    public string Path => folder.TrustFile;

    /// <summary>
    /// Every trusted appliance; none when there is no file. A file that does not read is an error,
    /// never "nothing trusted": that would turn a changed certificate into a first connection.
    /// </summary>
    public IReadOnlyList<TrustedAppliance> Load()
    {
        string json;
        try
        {
            json = File.ReadAllText(Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        TrustFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, TrustJsonContext.Readable.TrustFile);
        }
        catch (JsonException)
        {
            file = null;
        }

        if (file?.Appliances is not { } appliances || !appliances.All(IsWhole))
        {
            throw new CliException($"the file of trusted appliances {Path} is damaged; repair or delete it (then oc asks again for each appliance)");
        }

        return appliances;
    }

    /// <summary>The appliance with this id (from its certificate), if it is trusted.</summary>
    public static TrustedAppliance? FindById(IReadOnlyList<TrustedAppliance> known, string? id) =>
        id is { Length: > 0 } ? known.FirstOrDefault(a => string.Equals(a.Id, id, StringComparison.OrdinalIgnoreCase)) : null;

    /// <summary>The appliance last reached at this address, if one is trusted.</summary>
    public static TrustedAppliance? FindByAddress(IReadOnlyList<TrustedAppliance> known, ServerAddress server) =>
        known.FirstOrDefault(a => a.Server.SameAs(server));

    /// <summary>
    /// Adds <paramref name="appliance"/>, or updates the one it is (same id; for one without an
    /// id, same address): a new fingerprint replaces the old one, and the first-seen time stays.
    /// </summary>
    public TrustedAppliance Remember(TrustedAppliance appliance)
    {
        ArgumentNullException.ThrowIfNull(appliance);
        var known = Load().ToList();
        int index = known.FindIndex(a => SameAppliance(a, appliance));
        if (index >= 0)
        {
            var old = known[index];
            appliance = appliance with { FirstSeen = Fingerprints.AreEqual(old.Fingerprint, appliance.Fingerprint) ? old.FirstSeen : appliance.FirstSeen };
            if (old == appliance) return old;
            known[index] = appliance;
        }
        else
        {
            known.Add(appliance);
        }

        Save(known);
        return appliance;
    }

    /// <summary>
    /// Removes every trusted appliance that <paramref name="what"/> names: a name (without case),
    /// an id, or an address (<c>HOST[:PORT]</c>, port 6677 if not given). Returns those removed.
    /// </summary>
    public IReadOnlyList<TrustedAppliance> Forget(string what)
    {
        ArgumentNullException.ThrowIfNull(what);
        what = what.Trim();
        var known = Load();
        bool isAddress = ServerAddress.TryParse(what, out var address, out _);
        var removed = known.Where(a =>
            string.Equals(a.Name, what, StringComparison.OrdinalIgnoreCase)
            || string.Equals(a.Id, what, StringComparison.OrdinalIgnoreCase)
            || (isAddress && a.Server.SameAs(address))).ToList();
        if (removed.Count > 0) Save(known.Except(removed).ToList());
        return removed;
    }

    private void Save(IReadOnlyList<TrustedAppliance> appliances)
    {
        folder.Create();
        AtomicFile.Write(Path, JsonSerializer.Serialize(new TrustFile(appliances), TrustJsonContext.Readable.TrustFile) + "\n", ownerOnly: true);
    }

    // An appliance's own certificate names it by id wherever it is; one without an id is the one at that address.
    private static bool SameAppliance(TrustedAppliance a, TrustedAppliance b) =>
        a.Id is { Length: > 0 } || b.Id is { Length: > 0 }
            ? string.Equals(a.Id, b.Id, StringComparison.OrdinalIgnoreCase)
            : a.Server.SameAs(b.Server);

    private static bool IsWhole(TrustedAppliance? a) =>
        a is not null
        && ServerAddress.TryParse(a.Address, out _, out _)
        && Fingerprints.TryParse(a.Fingerprint, out var canonical) && canonical == a.Fingerprint;
}
