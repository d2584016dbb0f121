using System.Text.Json.Serialization;

namespace OC.CliClient.Terminal;

// What each command prints with --json. The names are part of the CLI's contract with scripts:
// add fields, never rename or remove one.

/// <summary><c>oc register --json</c>.</summary>
internal sealed record RegisteredOutput(uint OcNumber, string Nick, string Email, string Server);

/// <summary><c>oc login --json</c>.</summary>
internal sealed record LoggedInOutput(uint OcNumber, string Nick, string Server);

/// <summary><c>oc logout --json</c>. <c>SessionWasValid</c> is false when the appliance had already ended the session.</summary>
internal sealed record LoggedOutOutput(uint OcNumber, string Server, bool SessionWasValid);

/// <summary><c>oc whoami --json</c>; <c>Created</c> is ISO 8601 in UTC.</summary>
internal sealed record WhoAmIOutput(uint OcNumber, string Nick, string Email, string Server, DateTimeOffset Created);

/// <summary>One user in <c>oc find</c>, <c>oc friends</c> and <c>oc online</c>.</summary>
internal sealed record UserOutput(uint OcNumber, string Nick, bool Online, bool Friend);

/// <summary><c>oc friends --json</c>.</summary>
internal sealed record FriendsOutput(IReadOnlyList<UserOutput> Friends);

/// <summary><c>oc online --json</c>.</summary>
internal sealed record OnlineOutput(IReadOnlyList<UserOutput> Online);

/// <summary><c>oc friends add|remove --json</c>: the friendship as it now stands.</summary>
internal sealed record FriendChangeOutput(uint OcNumber, bool Friend);

/// <summary>One appliance in <c>oc servers</c>: <c>Server</c> is what --server takes; <c>Version</c>, <c>Id</c>, <c>HttpPort</c> come from its TXT record (null when missing).</summary>
internal sealed record ServerOutput(string Name, string Server, string Address, int Port, string Host, int? Version, string? Id, int? HttpPort);

/// <summary><c>oc servers --json</c>.</summary>
internal sealed record ServersOutput(IReadOnlyList<ServerOutput> Servers);

/// <summary>Serializers for the records above, generated at compile time (reflection JSON is not AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RegisteredOutput))]
[JsonSerializable(typeof(LoggedInOutput))]
[JsonSerializable(typeof(LoggedOutOutput))]
[JsonSerializable(typeof(WhoAmIOutput))]
[JsonSerializable(typeof(UserOutput))]
[JsonSerializable(typeof(FriendsOutput))]
[JsonSerializable(typeof(OnlineOutput))]
[JsonSerializable(typeof(FriendChangeOutput))]
[JsonSerializable(typeof(ServersOutput))]
internal sealed partial class OutputJsonContext : JsonSerializerContext;
