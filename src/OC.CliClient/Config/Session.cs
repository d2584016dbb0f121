using System.Text.Json.Serialization;

namespace OC.CliClient.Config;

/// <summary>What `oc login` saves: the token that RESUMEs the session without the password, and where it is valid.</summary>
internal sealed record Session(
    [property: JsonPropertyName("ocNumber")] uint OcNumber,
    [property: JsonPropertyName("nick")] string Nick,
    [property: JsonPropertyName("server")] string Server,
    [property: JsonPropertyName("token")] byte[] Token);

/// <summary>The session file is read and written without reflection (NativeAOT).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Session))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
