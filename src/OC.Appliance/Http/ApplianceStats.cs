using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Appliance.Net;
using OC.Appliance.Protocol;
using OC.Appliance.Sessions;
using OC.Appliance.Storage.Files;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;
using OC.Protocol;

namespace OC.Appliance.Http;

/// <summary>
/// Gathers the numbers of the loop's objects (connections, sessions, the storage worker's
/// totals, the HTTP server's counters) into an <see cref="ApplianceStatus"/>. Loop thread only:
/// what it reads of the storage worker is thread-safe, the rest belongs to the loop.
/// </summary>
internal sealed class ApplianceStats
{
    // Messages per second: the total sampled once a second, the rate taken over the last ten.
    private const int RateSamples = 11;

    private readonly EventLoop _loop;
    private readonly ApplianceIdentity _identity;
    private readonly StorageWorker _storage;
    private readonly MessageWorker _messages;
    private readonly ConnectionManager _connections;
    private readonly PresenceRegistry _presence;
    private readonly FileWorker _files;
    private readonly RateLimits _limits;
    private readonly long _startedMs;
    private readonly (long Ms, long Messages)[] _samples = new (long, long)[RateSamples];
    private int _sampleCount;
    private int _nextSample;

    public ApplianceStats(EventLoop loop, ApplianceIdentity identity, StorageWorker storage, MessageWorker messages, ConnectionManager connections, PresenceRegistry presence, FileWorker files, RateLimits limits)
    {
        _limits = limits;
        _loop = loop;
        _identity = identity;
        _storage = storage;
        _messages = messages;
        _connections = connections;
        _presence = presence;
        _files = files;
        _startedMs = loop.Time.NowMs();
        StartedUtc = loop.Time.GetUtcNow().UtcDateTime;
        SampleRates();
        loop.AddTimer(TimeSpan.FromSeconds(1), SampleRates, TimeSpan.FromSeconds(1));
    }

    public DateTime StartedUtc { get; }

    /// <summary>True after a storage fault until storage works again (/healthz answers 503 meanwhile).</summary>
    public bool StorageFault => _storage.HasUnresolvedFault;

    /// <summary>Kept by the HTTP server.</summary>
    public HttpCounters Http { get; } = new();

    public ApplianceStatus Snapshot()
    {
        var counters = _storage.Counters;
        bool fault = StorageFault;
        return new ApplianceStatus
        {
            Name = _identity.Name,
            Version = ApplianceVersion.Text,
            ProtocolVersion = ProtocolLimits.Version,
            ApplianceId = _identity.Id,
            Poller = _loop.PollerName,
            Tls = _connections.Tls is not null,
            TlsFingerprint = _connections.Tls?.Identity.Fingerprint,
            TlsEngine = _connections.Tls?.Server.Engine ?? "none",
            TlsHandshakes = _connections.TlsHandshakes,
            TlsPlaintextRefused = _connections.PlaintextRefused,
            StartedUtc = StartedUtc,
            UptimeSeconds = (_loop.Time.NowMs() - _startedMs) / 1000,
            Healthy = !fault,
            StorageFault = fault,
            UsersRegistered = counters.Users,
            UsersOnline = _presence.OnlineUsers,
            SessionsOnline = _presence.OnlineSessions,
            UsersPresent = _presence.PresentUsers,
            FriendRequestsPending = counters.FriendRequests,
            Blocks = counters.Blocks,
            Rooms = counters.Rooms,
            RoomMessagesStored = _messages.RoomMessagesStored,
            MessagesEverStored = _messages.MessagesEverStored,
            RoomMessagesEverStored = _messages.RoomMessagesEverStored,
            Connections = _connections.Count,
            ConnectionsAccepted = _connections.Accepted,
            MessagesStored = _messages.MessagesStored,
            MessagesPerSecond = MessagesPerSecond(),
            FilesStored = _files.FilesStored,
            FileBytesStored = _files.FileBytesStored,
            DiskFreeBytes = _storage.DiskFreeBytes,
            StorageGroupsCommitted = _storage.GroupsCommitted,
            StorageJobsCompleted = _storage.JobsCompleted,
            StorageJobsFailed = _storage.JobsFailed,
            StorageFaults = _storage.Faults,
            BytesReceived = _connections.BytesReceived,
            BytesSent = _connections.BytesSent,
            FramesReceived = _connections.FramesReceived,
            SlowConsumersCut = _connections.SlowConsumersCut,
            HttpConnections = Http.Connections,
            HttpRequests = Http.Requests,
            ProblemsLogged = Log.Recent.Total,
            RateLimitsOn = _limits.Settings.AnyOn,
            RateLimitKeys = _limits.TrackedKeys,
            RateLimits = Array.ConvertAll(RateKinds.All, RateLimitStatus),
            LastErrors = Array.ConvertAll(Log.Recent.Snapshot(),
                e => new StatusLogLine(e.TimeUtc, e.Level == LogLevel.Error ? "ERR" : "WRN", e.Event, e.Text, e.Count)),
        };
    }

    private StatusRateLimit RateLimitStatus(RateKind kind)
    {
        var limit = _limits.Settings[kind];
        return new StatusRateLimit(kind.Name(), kind.PerAddress() ? "address" : "user",
            limit?.ToString() ?? "off", limit?.PerSecond ?? 0, limit?.Burst ?? 0, _limits.Limited(kind), limit?.Describe() ?? "off");
    }

    private void SampleRates()
    {
        _samples[_nextSample] = (_loop.Time.NowMs(), _messages.MessagesStored);
        _nextSample = (_nextSample + 1) % RateSamples;
        if (_sampleCount < RateSamples) _sampleCount++;
    }

    private double MessagesPerSecond()
    {
        if (_sampleCount < 2) return 0;
        var newest = _samples[(_nextSample - 1 + RateSamples) % RateSamples];
        var oldest = _samples[(_nextSample - _sampleCount + RateSamples) % RateSamples];
        long ms = newest.Ms - oldest.Ms;
        return ms <= 0 ? 0 : Math.Round((newest.Messages - oldest.Messages) * 1000.0 / ms, 1);
    }
}
