using System.Globalization;
using System.Text.Json;

namespace OC.Appliance.Backup;

/// <summary>One member of the archive: its name, size and SHA-256 (lowercase hex).</summary>
internal sealed record BackupMember(string Name, long Size, string Sha256);

/// <summary>
/// <c>manifest.json</c>, the archive's last member: what the backup holds and the SHA-256 of every
/// other member, so a restore can tell a damaged or cut-short archive from a good one. Last,
/// because the hashes are known only once the members are written; an archive that ends before
/// it is incomplete. Written and read by hand with Utf8JsonWriter / JsonDocument (no reflection).
/// </summary>
internal sealed record BackupManifest
{
    internal const string FileName = "manifest.json";

    /// <summary>The archive's format; a restore refuses one it does not know.</summary>
    internal const int CurrentFormat = 1;

    internal const int MaxBytes = 16 * 1024 * 1024;

    public int Format { get; init; } = CurrentFormat;
    public string ApplianceId { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public string Software { get; init; } = "";

    /// <summary>"running" or "stopped": how the snapshot was taken.</summary>
    public string Source { get; init; } = "";
    public int Users { get; init; }
    public int Friendships { get; init; }
    public long Messages { get; init; }
    public ulong LastSeq { get; init; }
    public int Files { get; init; }

    /// <summary>Partial uploads left out (they start over after a restore).</summary>
    public int PartialUploadsLeftOut { get; init; }
    public bool TlsKeyIncluded { get; init; }
    public List<BackupMember> Members { get; init; } = [];

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", Format);
            w.WriteString("kind", "oc-appliance backup");
            w.WriteString("applianceId", ApplianceId);
            w.WriteString("created", Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteString("software", Software);
            w.WriteString("source", Source);
            w.WriteNumber("users", Users);
            w.WriteNumber("friendships", Friendships);
            w.WriteNumber("messages", Messages);
            w.WriteNumber("lastSeq", LastSeq);
            w.WriteNumber("files", Files);
            w.WriteNumber("partialUploadsLeftOut", PartialUploadsLeftOut);
            w.WriteBoolean("tlsKeyIncluded", TlsKeyIncluded);
            w.WriteStartArray("members");
            foreach (var m in Members)
            {
                w.WriteStartObject();
                w.WriteString("name", m.Name);
                w.WriteNumber("size", m.Size);
                w.WriteString("sha256", m.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Null when the bytes are no manifest of ours (or of a format this version cannot read: <paramref name="format"/> says which).</summary>
    public static BackupManifest? TryParse(ReadOnlySpan<byte> json, out int format)
    {
        format = 0;
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.GetString() != "oc-appliance backup") return null;
            format = root.GetProperty("format").GetInt32();
            if (format != CurrentFormat) return null;
            var members = new List<BackupMember>();
            foreach (var m in root.GetProperty("members").EnumerateArray())
                members.Add(new BackupMember(Text(m, "name"), m.GetProperty("size").GetInt64(), Text(m, "sha256")));
            return new BackupManifest
            {
                Format = format,
                ApplianceId = Text(root, "applianceId"),
                Created = DateTimeOffset.Parse(Text(root, "created"), CultureInfo.InvariantCulture),
                Software = Text(root, "software"),
                Source = Text(root, "source"),
                Users = root.GetProperty("users").GetInt32(),
                Friendships = root.GetProperty("friendships").GetInt32(),
                Messages = root.GetProperty("messages").GetInt64(),
                LastSeq = root.GetProperty("lastSeq").GetUInt64(),
                Files = root.GetProperty("files").GetInt32(),
                PartialUploadsLeftOut = root.GetProperty("partialUploadsLeftOut").GetInt32(),
                TlsKeyIncluded = root.GetProperty("tlsKeyIncluded").GetBoolean(),
                Members = members,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new FormatException($"{name} is null");
}
