using System.Net;
using OC.Appliance;
using OC.Appliance.Limits;
using OC.Appliance.Net.Tls;
using OC.Protocol.Client;

namespace OC.Tests.Integration;

/// <summary>
/// The real appliance, in this process, on 127.0.0.1 with ports chosen by the OS (protocol and
/// HTTP status page: many appliances run at once, none may take the default ports) and a real
/// database in a fresh temp folder. Dispose stops it the way SIGTERM does and deletes the folder.
/// </summary>
internal sealed class TestAppliance : IDisposable
{
    private readonly Thread _thread;
    private readonly bool _ownsDirectory;
    private Exception? _crash;

    /// <param name="tlsEngine">Forces a TLS engine (openssl, sslstream; null lets the appliance choose, as it does in use).</param>
    public TestAppliance(string? poller = null, string? dataDirectory = null, Func<ApplianceOptions, ApplianceOptions>? configure = null, string? tlsEngine = null)
    {
        _ownsDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? TempDirectory.Create("oc-appliance");
        var options = new ApplianceOptions
        {
            DataDirectory = DataDirectory,
            BindAddress = IPAddress.Loopback,
            Port = 0,
            HttpPort = 0,
            Poller = poller,
            Name = "test-appliance",
            RateLimits = LoopbackRateLimits,
            TlsEngine = tlsEngine,
        };
        Server = new ApplianceServer(configure?.Invoke(options) ?? options);
        if (tlsEngine is not null && Server.TlsServer is { } tls) Assert.Equal(tlsEngine, tls.Engine);
        _thread = new Thread(() =>
        {
            try { Server.Run(); }
            catch (Exception e) { _crash = e; }
        })
        { Name = "oc-test-loop", IsBackground = true };
        _thread.Start();
    }

    /// <summary>
    /// The default limits per user, none per address: every test client comes from 127.0.0.1, a
    /// whole office on one address, registering and logging in far faster than people do. The
    /// rate limit tests set <see cref="RateLimitSettings.Default"/> themselves.
    /// </summary>
    public static readonly RateLimitSettings LoopbackRateLimits = RateLimitSettings.Default
        .With(RateKind.Register, null).With(RateKind.Login, null).With(RateKind.Connection, null);

    public ApplianceServer Server { get; }
    public string DataDirectory { get; }
    public int Port => Server.ProtocolEndPoint.Port;

    /// <summary>The status page's port (the appliance must have HTTP enabled, as it has by default).</summary>
    public int HttpPort => Server.HttpEndPoint?.Port ?? throw new InvalidOperationException("this appliance serves no HTTP");

    /// <summary>The certificate's fingerprint; null when the appliance runs with --insecure-plaintext.</summary>
    public string? Fingerprint => Server.Fingerprint;

    /// <summary>How a client reaches this appliance: TLS pinned to its certificate, or plaintext when it runs without TLS.</summary>
    public OcTransport Transport => Fingerprint is { } fingerprint ? OcTransport.Pinned(fingerprint) : OcTransport.Plaintext;

    public Task<OcConnection> ConnectAsync(string clientName = "tests") =>
        OcConnection.ConnectAsync("127.0.0.1", Port, clientName, Transport);

    /// <summary>Stops like SIGTERM does; the data folder stays (for restart tests).</summary>
    public void Stop()
    {
        Server.Stop();
        if (!Server.WaitForStop(TimeSpan.FromSeconds(30))) throw new TimeoutException("the appliance did not stop within 30 s");
        _thread.Join(TimeSpan.FromSeconds(5));
        if (_crash is not null) throw new InvalidOperationException("the appliance loop crashed", _crash);
        // The SslStream engine assumes it runs on the loop thread alone; every test of it checks that it did.
        if (Server.TlsServer is SslStreamServer { OffLoopCalls: > 0 } ssl)
            throw new InvalidOperationException($"the SslStream engine was called {ssl.OffLoopCalls} times off the loop thread (see the tls.off_loop log line)");
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            Server.Dispose();
            if (_ownsDirectory) TempDirectory.Delete(DataDirectory);
        }
    }
}

internal static class TempDirectory
{
    public static string Create(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        // 0700, as the appliance makes its data folder: a wider one is logged (storage.folder_mode).
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public static void Delete(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
