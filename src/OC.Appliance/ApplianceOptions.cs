using System.Net;
using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;

namespace OC.Appliance;

/// <summary>Everything `oc-appliance` can be told on its command line.</summary>
internal sealed record ApplianceOptions
{
    public const int DefaultPort = 6677;
    public const int DefaultHttpPort = 6678;

    public string DataDirectory { get; init; } = "oc-data";
    public IPAddress BindAddress { get; init; } = IPAddress.Any;
    public int Port { get; init; } = DefaultPort;
    public int HttpPort { get; init; } = DefaultHttpPort;

    /// <summary>False (--no-http): no status page, nothing listens on <see cref="HttpPort"/>.</summary>
    public bool HttpEnabled { get; init; } = true;

    /// <summary>From accept to a complete HTTP request; a slower client is disconnected.</summary>
    public TimeSpan HttpRequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxHttpConnections { get; init; } = 256;

    /// <summary>False (--no-mdns): the appliance is not announced on the LAN (docs/discovery.md).</summary>
    public bool MdnsEnabled { get; init; } = true;
    public string? Poller { get; init; }
    public string Name { get; init; } = Environment.MachineName;
    public LogLevel LogLevel { get; init; } = LogLevel.Info;
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection must log in within this long of opening (or of a logout), else it is closed.</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Connections not logged in, per address and in all; more are refused at once.</summary>
    public int MaxAnonymousPerAddress { get; init; } = 256;

    public int MaxAnonymous { get; init; } = 2048;

    /// <summary>--input-budget: bytes of partial frames all connections may hold beyond 64 KiB each.</summary>
    public long SharedInputBytes { get; init; } = 64L * 1024 * 1024;
    public int MaxConnections { get; init; } = 20_000;
    public int MaxOutputBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Writes are refused below this much free disk space (see StorageWorker.MinFreeBytes); tests raise it to make a full disk.</summary>
    public long MinFreeBytes { get; init; } = Storage.StorageWorker.DefaultMinFreeBytes;

    /// <summary>--max-file-size: the largest file one FILE_OFFER may announce.</summary>
    public long MaxFileSize { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>--quota: bytes of complete and partial uploads one sender may keep on the appliance.</summary>
    public long FileQuota { get; init; } = 10L * 1024 * 1024 * 1024;

    /// <summary>--partial-ttl: a partial upload nobody wrote to for this long is deleted.</summary>
    public TimeSpan PartialTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>--retention: messages and files older than this are dropped (null: kept for ever).</summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>--session-ttl: a session unused for this long has expired.</summary>
    public TimeSpan SessionTtl { get; init; } = TimeSpan.FromDays(30);

    /// <summary>--rate-*: the token buckets per user and per address; <see cref="RateLimitSettings.Off"/> with --no-rate-limits.</summary>
    public RateLimitSettings RateLimits { get; init; } = RateLimitSettings.Default;

    /// <summary>--friends: Consent (a request the other accepts) or Open (FRIEND_ADD befriends both at once).</summary>
    public Friends.FriendsMode FriendsMode { get; init; } = Friends.FriendsMode.Consent;

    /// <summary>--room-members and --rooms-per-user.</summary>
    public Rooms.RoomLimits RoomLimits { get; init; } = Rooms.RoomLimits.Default;

    /// <summary>--insecure-plaintext: the protocol port without TLS (everything in clear; the status page says so in red).</summary>
    public bool InsecurePlaintext { get; init; }

    /// <summary>--tls-cert and --tls-key: a certificate of the owner's PKI instead of the appliance's own (both or neither).</summary>
    public string? TlsCertificatePath { get; init; }

    public string? TlsKeyPath { get; init; }

    /// <summary>
    /// Which TLS engine (hidden --tls-engine): null chooses (OpenSSL where libssl.so.3 is, else
    /// SslStream); "openssl" or "sslstream" forces one (tests run SslStream on Linux with it, and an
    /// owner can fall back to it should the OpenSSL engine misbehave on some system).
    /// </summary>
    public string? TlsEngine { get; init; }

    /// <summary>Off only in benchmarks that measure what the flush costs.</summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>The clock of timers, deadlines and throttles (a fake one in tests of timing logic).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
