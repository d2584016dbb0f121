using System.Text.Json.Serialization;

namespace OC.Appliance.Http;

/// <summary>
/// One reading of the appliance's numbers, taken on the loop thread when a request comes in.
/// It is the /api/status document as it is (snake_case names, see docs/http.md), and the
/// status page and /metrics are rendered from it.
/// </summary>
internal sealed record ApplianceStatus
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required int ProtocolVersion { get; init; }
    public required string ApplianceId { get; init; }
    public required string Poller { get; init; }

    /// <summary>False only with --insecure-plaintext: then everything crosses the network in clear.</summary>
    public required bool Tls { get; init; }

    /// <summary>The certificate's SHA-256 fingerprint (what clients trust); null without TLS.</summary>
    public required string? TlsFingerprint { get; init; }

    /// <summary>openssl (memory BIOs on the loop), sslstream (the portable fallback), or none.</summary>
    public required string TlsEngine { get; init; }
    public required long TlsHandshakes { get; init; }

    /// <summary>Clients that spoke plaintext to the TLS port (told TlsRequired, then closed).</summary>
    public required long TlsPlaintextRefused { get; init; }
    public required DateTime StartedUtc { get; init; }
    public required long UptimeSeconds { get; init; }

    /// <summary>What /healthz says: the loop answered and storage has no unresolved fault.</summary>
    public required bool Healthy { get; init; }
    public required bool StorageFault { get; init; }

    public required long UsersRegistered { get; init; }

    /// <summary>Distinct users with at least one logged-in session.</summary>
    public required int UsersOnline { get; init; }
    public required int SessionsOnline { get; init; }
    /// <summary>Users online as friends see it: with a live session (an `oc chat` or `oc listen`), not a one-shot command.</summary>
    public required int UsersPresent { get; init; }

    /// <summary>Friend requests waiting for an answer.</summary>
    public required long FriendRequestsPending { get; init; }

    /// <summary>Blocks standing (two users blocking each other count twice).</summary>
    public required long Blocks { get; init; }

    /// <summary>Rooms that exist (a room goes with its last member).</summary>
    public long Rooms { get; init; }

    /// <summary>Messages in rooms (members' messages, not the entries of membership changes); part of <see cref="MessagesStored"/>.</summary>
    public long RoomMessagesStored { get; init; }

    /// <summary>Messages ever stored (the last seq) and members' messages ever stored in rooms: with --retention, expired ones included.</summary>
    public long MessagesEverStored { get; init; }
    public long RoomMessagesEverStored { get; init; }

    /// <summary>Open protocol connections (logged in or not).</summary>
    public required int Connections { get; init; }
    public required long ConnectionsAccepted { get; init; }

    public required long MessagesStored { get; init; }

    /// <summary>Messages stored per second, averaged over the last ten seconds.</summary>
    public required double MessagesPerSecond { get; init; }
    public required long FilesStored { get; init; }
    public required long FileBytesStored { get; init; }

    /// <summary>Free bytes in the data folder's file system; -1 when it could not be measured.</summary>
    public required long DiskFreeBytes { get; init; }

    public required long StorageGroupsCommitted { get; init; }
    public required long StorageJobsCompleted { get; init; }
    public required long StorageJobsFailed { get; init; }
    public required long StorageFaults { get; init; }

    public required long BytesReceived { get; init; }
    public required long BytesSent { get; init; }
    public required long FramesReceived { get; init; }
    public required long SlowConsumersCut { get; init; }

    public required int HttpConnections { get; init; }
    public required long HttpRequests { get; init; }

    /// <summary>False with --no-rate-limits (every kind off).</summary>
    public required bool RateLimitsOn { get; init; }

    /// <summary>Token buckets held (clients busy now), all kinds together.</summary>
    public required int RateLimitKeys { get; init; }

    /// <summary>Each kind's limit in force and how many requests it refused, in the order of <c>RateKind</c>.</summary>
    public required IReadOnlyList<StatusRateLimit> RateLimits { get; init; }

    /// <summary>Warnings and errors logged since start.</summary>
    public required long ProblemsLogged { get; init; }

    /// <summary>The latest warning or error of each kind, newest first.</summary>
    public required IReadOnlyList<StatusLogLine> LastErrors { get; init; }
}

/// <param name="Level">"WRN" or "ERR", as in the log.</param>
/// <param name="Count">Lines of this event since start; the text is the latest one's.</param>
internal sealed record StatusLogLine(DateTime TimeUtc, string Level, string Event, string Text, long Count = 1);

/// <param name="Kind">As the label of oc_rate_limited_total: message, file_offer, ..., connection.</param>
/// <param name="Per">"user" (OC number) or "address".</param>
/// <param name="Rate">As the option takes it ("20/s,60"), or "off".</param>
/// <param name="Limited">Requests (or connections) refused since start.</param>
/// <param name="Description">For people: "20 a second, 60 at once", or "off".</param>
internal sealed record StatusRateLimit(string Kind, string Per, string Rate, double PerSecond, int Burst, long Limited, string Description);

/// <summary>Source-generated serialization of <see cref="ApplianceStatus"/>: reflection JSON is not AOT-safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApplianceStatus))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
