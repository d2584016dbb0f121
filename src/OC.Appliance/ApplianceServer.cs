using System.Net;
using OC.Appliance.Diagnostics;
using OC.Appliance.Discovery;
using OC.Appliance.Storage.Files;
using OC.Appliance.Http;
using OC.Appliance.Net;
using OC.Appliance.Net.Tls;
using OC.Appliance.Security;
using OC.Appliance.Protocol;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;

namespace OC.Appliance;

/// <summary>
/// The composition root: the event loop, the protocol listener and its connections, the HTTP
/// status page (on the same loop), and the storage worker. <see cref="Run"/> blocks the calling thread (it becomes the loop thread);
/// <see cref="Stop"/> may be called from any thread, e.g. a signal handler.
/// </summary>
internal sealed class ApplianceServer : IDisposable
{
    private readonly EventLoop _loop;
    private readonly StorageWorker _storage;
    private readonly MessageWorker _messages;
    private readonly FileWorker _files;
    private readonly Acceptor _acceptor;
    private readonly ConnectionManager _connections;
    private readonly ApplianceFeatures _features;
    private readonly RequestRouter _router;
    private readonly HttpServer? _http;
    private readonly Acceptor? _httpAcceptor;
    private readonly MdnsResponder? _mdns;
    private readonly AdminSocket? _admin;
    private readonly TlsListener? _tls;
    private readonly ManualResetEventSlim _stopped = new(false);

    public ApplianceServer(ApplianceOptions options)
    {
        Options = options;
        // One clock for everything (options.Time): the loop's timers and deadlines, the workers,
        // the throttle, the times stored. Only log lines keep the system's (Diagnostics/Log.cs).
        StartedUtc = options.Time.GetUtcNow().UtcDateTime;
        _loop = new EventLoop(EventLoop.CreatePoller(options.Poller), options.Time);
        _storage = new StorageWorker(options.DataDirectory, _loop.Wake, options.Time) { FlushToDisk = options.FlushToDisk, MinFreeBytes = options.MinFreeBytes };
        try
        {
            _messages = new MessageWorker(options.DataDirectory, _loop.Wake, options.Time, options.Retention) { FlushToDisk = options.FlushToDisk, MinFreeBytes = options.MinFreeBytes };
        }
        catch
        {
            _storage.Dispose();
            _loop.Dispose();
            throw;
        }
        try
        {
            var fileLimits = new FileLimits
            {
                MaxFileSize = options.MaxFileSize,
                QuotaPerUser = options.FileQuota,
                PartialTtl = options.PartialTtl,
                Retention = options.Retention,
                MinFreeBytes = options.MinFreeBytes,
                FlushToDisk = options.FlushToDisk,
            };
            _files = new FileWorker(options.DataDirectory, fileLimits, _loop.Wake, options.Time);
        }
        catch
        {
            _messages.Dispose();
            _storage.Dispose();
            _loop.Dispose();
            throw;
        }
        try
        {
            var applianceId = _storage.ApplianceId;
            var limits = new ConnectionLimits
            {
                IdleTimeout = options.IdleTimeout,
                HelloTimeout = options.HelloTimeout,
                LoginTimeout = options.LoginTimeout,
                MaxAnonymousPerAddress = options.MaxAnonymousPerAddress,
                MaxAnonymous = options.MaxAnonymous,
                SharedInputBytes = options.SharedInputBytes,
                MaxConnections = options.MaxConnections,
                MaxOutputBytes = options.MaxOutputBytes,
            };
            _features = new ApplianceFeatures(_storage, _messages, _files, options.RateLimits, options.Time, options.FriendsMode, options.RoomLimits);
            _features.Accounts.SessionTtl = options.SessionTtl;
            _router = new RequestRouter(_features, limits, new ApplianceIdentity(options.Name, applianceId, $"oc-appliance {ApplianceVersion.Text}"), options.Time);
            // TLS always, unless the owner said --insecure-plaintext (docs/security.md).
            if (!options.InsecurePlaintext)
            {
                var identity = options.TlsCertificatePath is { } certificate
                    ? TlsIdentity.FromFiles(certificate, options.TlsKeyPath!)
                    : TlsIdentity.LoadOrCreate(options.DataDirectory, options.Name, applianceId, options.Time.GetUtcNow());
                _tls = TlsListener.Create(identity.Files, options.TlsEngine);
            }
            _connections = new ConnectionManager(_loop, limits, _router) { OnOpened = _router.OnOpened, Tls = _tls };
            _loop.OnWake = () =>
            {
                _storage.DrainCompleted();
                _messages.DrainCompleted();
                _files.DrainCompleted();
            };
            // The rooms' streams catch up with changes committed just before a crash; entries a
            // full disk refused are tried again.
            _features.RoomMessages.Reconcile();
            _loop.AddTimer(TimeSpan.FromSeconds(2), _features.RoomMessages.RetryFailed, TimeSpan.FromSeconds(2));
            // Partial uploads untouched for --partial-ttl are deleted on the file worker.
            _loop.AddTimer(TimeSpan.FromMinutes(1), _features.Uploads.Sweep, TimeSpan.FromHours(1));
            _loop.AddTimer(TimeSpan.FromMinutes(1), () => _features.Accounts.Throttle.Sweep(options.Time.NowMs()), TimeSpan.FromMinutes(1));
            // Sessions unused for --session-ttl are deleted (RESUME refuses them at once anyway).
            _loop.AddTimer(TimeSpan.FromMinutes(1), _features.Accounts.SweepSessions, TimeSpan.FromHours(1));
            // Buckets full again are dropped: the tables hold only clients that are busy now.
            _loop.AddTimer(TimeSpan.FromSeconds(10), _features.Limits.Sweep, TimeSpan.FromSeconds(10));
            // The minute of the log's repeat counts ends on the loop's clock: "and 3,512 more from ...".
            _loop.AddTimer(TimeSpan.FromMinutes(1), Log.SummariseRepeats, TimeSpan.FromMinutes(1));
            // Large frame buffers left over from a burst go back to the system (Net/MemoryTrim.cs).
            // And after a burst of connections (accepted, TLS handshakes done, closed): their garbage, managed and native.
            var trim = new MemoryTrim(options.Time, nativeReleases: () => _connections.Accepted + (_connections.Accepted - _connections.Count) + _connections.TlsHandshakes);
            _loop.AddTimer(MemoryTrim.Period, trim.Tick, MemoryTrim.Period);
            var stats = new ApplianceStats(_loop, _router.Identity, _storage, _messages, _connections, _features.Presence, _files, _features.Limits);
            _acceptor = new Acceptor(_loop, new IPEndPoint(options.BindAddress, options.Port), "protocol", _connections.Accept);
            // oc-appliance user reaches the running appliance here (docs/architecture.md, "The admin socket").
            _admin = AdminSocket.TryStart(_loop, options.DataDirectory, _features, _router.Identity, options.Time);
            if (options.HttpEnabled)
            {
                var httpLimits = new HttpLimits { RequestTimeout = options.HttpRequestTimeout, MaxConnections = options.MaxHttpConnections };
                _http = new HttpServer(_loop, httpLimits, new StatusEndpoints(stats), stats.Http);
                _httpAcceptor = new Acceptor(_loop, new IPEndPoint(options.BindAddress, options.HttpPort), "http", _http.Accept);
            }
            if (options.MdnsEnabled)
            {
                // With the real ports: --port 0 and --http-port 0 are resolved by now.
                var service = new ServiceInfo(_acceptor.LocalEndPoint.Port, _httpAcceptor?.LocalEndPoint.Port, applianceId, _tls?.Identity.Fingerprint);
                _mdns = MdnsResponder.Start(_loop, options.BindAddress, options.Name, service);
            }
        }
        catch
        {
            // E.g. the HTTP port is taken: the protocol port must not stay bound.
            _httpAcceptor?.Dispose();
            _admin?.Dispose();
            _acceptor?.Dispose();
            _tls?.Dispose();
            _files.Dispose();
            _messages.Dispose();
            _storage.Dispose();
            _loop.Dispose();
            throw;
        }
    }

    public ApplianceOptions Options { get; }
    public DateTime StartedUtc { get; }

    /// <summary>Done when the rooms' streams caught up with the account database at start (tests wait for it).</summary>
    internal Task RoomsReconciled => _features.RoomMessages.Reconciled;
    public IPEndPoint ProtocolEndPoint => _acceptor.LocalEndPoint;

    /// <summary>Where the status page listens; null with <see cref="ApplianceOptions.HttpEnabled"/> false.</summary>
    public IPEndPoint? HttpEndPoint => _httpAcceptor?.LocalEndPoint;

    public string PollerName => _loop.PollerName;

    /// <summary>The certificate's fingerprint (what clients trust); null with --insecure-plaintext.</summary>
    public string? Fingerprint => _tls?.Identity.Fingerprint;

    /// <summary>The TLS engine serving the protocol port (openssl, sslstream); null with --insecure-plaintext.</summary>
    internal ITlsServer? TlsServer => _tls?.Server;

    /// <summary>The mDNS responder, or null when it is off (--no-mdns, loopback only, port 5353 unavailable).</summary>
    internal MdnsResponder? Mdns => _mdns;
    public int ConnectionCount => _connections.Count;

    /// <summary>The storage worker, for its counters (groups committed, jobs completed): the load tool reads them.</summary>
    internal StorageWorker Storage => _storage;

    /// <summary>The message worker, for its counters (groups committed, messages stored): the load tool reads them.</summary>
    internal MessageWorker Messages => _messages;

    /// <summary>Written on the loop thread only; other threads read a recent value (64-bit reads are atomic).</summary>
    public long SlowConsumersCut => _connections.SlowConsumersCut;

    /// <summary>TLS handshakes completed and protocol frames received (loop thread writes; a recent value elsewhere).</summary>
    internal long TlsHandshakes => _connections.TlsHandshakes;

    internal long FramesReceived => _connections.FramesReceived;

    /// <summary>Partial-frame bytes held beyond the connections' own allowances (loop thread writes; a recent value elsewhere).</summary>
    internal long InputBudgetUsed => _connections.Budget.Used;

    /// <summary>Runs the loop until <see cref="Stop"/>, then shuts down in order.</summary>
    public void Run()
    {
        // Before "listening": whoever waits for that line finds the fingerprint already logged.
        if (_tls is { } tls)
            Log.Info("appliance.tls", $"TLS 1.3 ({tls.Server.Engine}), certificate {(tls.Identity.IsOwn ? "in" : "from")} {tls.Identity.CertificatePath}, fingerprint {tls.Identity.Fingerprint}");
        else
            Log.Warn("appliance.plaintext", "--insecure-plaintext: no TLS; messages, logins and tokens cross the network in clear");
        var http = HttpEndPoint is { } endPoint ? $"http on {endPoint}" : "http off";
        Log.Info("appliance.listening", $"protocol on {ProtocolEndPoint} ({_loop.PollerName}), {http}, data in {Path.GetFullPath(Options.DataDirectory)}");
        if (Options.FriendsMode == Friends.FriendsMode.Open) Log.Info("friends.open", "--friends open: adding a friend makes both friends at once, without a request");
        try
        {
            _loop.Run();
            Shutdown();
        }
        finally
        {
            _stopped.Set();
        }
    }

    /// <summary>Thread-safe. Returns at once; <see cref="WaitForStop"/> waits for the shutdown to finish.</summary>
    public void Stop() => _loop.Stop();

    public bool WaitForStop(TimeSpan timeout) => _stopped.Wait(timeout);

    /// <summary>The admin socket's path, or null when it could not be made (see the log).</summary>
    internal string? AdminSocketPath => _admin?.Path;

    /// <summary>Runs the partial-upload sweep now (tests; the loop's timer runs it hourly). Thread-safe.</summary>
    internal void SweepFilesNow() => _features.Uploads.Sweep();

    /// <summary>Runs --retention now on the message worker, before the jobs posted after it (tests; the worker schedules it itself). Thread-safe.</summary>
    internal void ExpireMessagesNow() => _messages.ExpireNow();

    public void Dispose()
    {
        _mdns?.Dispose();
        _httpAcceptor?.Dispose();
        _admin?.Dispose();
        _acceptor.Dispose();
        _tls?.Dispose();
        _files.Dispose();
        _messages.Dispose();
        _storage.Dispose();
        _loop.Dispose();
        _stopped.Dispose();
    }

    // Stop accepting, let every job already posted commit and answer, send what is queued, close.
    private void Shutdown()
    {
        Log.Info("appliance.stopping", $"{_connections.Count} connections open");
        // First the goodbyes (RFC 6762 §10.1): browsers drop the appliance at once instead of
        // offering it until the records expire.
        _mdns?.Stop();
        _acceptor.Dispose();
        _httpAcceptor?.Dispose();
        _http?.CloseAll("appliance shutting down");
        _files.Dispose();
        _messages.Dispose();
        _storage.Dispose();
        _files.DrainCompleted();
        _messages.DrainCompleted();
        _storage.DrainCompleted();
        _connections.FlushPendingWrites();
        _connections.CloseAll("appliance shutting down");
        _admin?.Close("appliance shutting down");
        Log.Info("appliance.stopped", "database closed");
    }
}
