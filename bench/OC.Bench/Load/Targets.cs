using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using OC.Appliance;
using OC.Appliance.Diagnostics;
using OC.Protocol.Client;

namespace OC.Bench.Load;

/// <summary>Storage counters at one moment (in-process appliance only).</summary>
internal readonly record struct StorageSample(long GroupsCommitted, long JobsCompleted);

/// <summary>Message log counters at one moment (in-process appliance only): groups written and fsynced, messages stored.</summary>
internal readonly record struct MessageLogSample(long GroupsCommitted, long MessagesStored);

/// <summary>The appliance under load: in this process, a child process, or one already running.</summary>
internal abstract class Target : IDisposable
{
    protected Target(bool tls) => Tls = tls;

    public abstract IPEndPoint EndPoint { get; }

    /// <summary>
    /// Whether the protocol port speaks TLS (the appliance's default) or plaintext (started with
    /// --insecure-plaintext, for the comparison). Clients of the bench connect accordingly.
    /// </summary>
    public bool Tls { get; }

    /// <summary>
    /// How <see cref="OcConnection"/> connects to it: TLS with any certificate (the bench measures
    /// its own appliance; there is no one to trust or distrust), or plaintext.
    /// </summary>
    public OcTransport Transport => Tls ? OcTransport.InsecureAnyCertificate : OcTransport.Plaintext;

    /// <summary>For reports: "TLS" or "plaintext".</summary>
    public string TransportName => Tls ? "TLS" : "plaintext";

    /// <summary>The HTTP status service, when it runs and its port is known (a spawned appliance started with HTTP on).</summary>
    public virtual IPEndPoint? HttpEndPoint => null;

    /// <summary>For reports: what ran where.</summary>
    public abstract string Description { get; }

    /// <summary>The appliance's process id when it is another process (memory and CPU are read from /proc).</summary>
    public virtual int? Pid => null;

    /// <summary>Group commit counters, when the appliance runs in this process.</summary>
    public virtual StorageSample? Storage => null;

    /// <summary>The message log's counters, when the appliance runs in this process.</summary>
    public virtual MessageLogSample? MessageLog => null;

    /// <summary>
    /// The appliance's event loop thread: the thread that called ApplianceServer.Run. In this
    /// process it is named "oc-appliance-loop" (Linux keeps 15 characters); in a spawned
    /// appliance it is the main thread, whose id is the pid.
    /// </summary>
    public virtual bool IsLoopThread(in ThreadSample thread) => thread.Tid == Pid;

    /// <summary>How a spawned appliance ended, with its last log lines; null while it runs or when it is not a child.</summary>
    public virtual string? ExitReport => null;

    public abstract void Dispose();

    /// <param name="tls">TLS on the protocol port (the appliance's default), or --insecure-plaintext; for an appliance at --server, what it is said to speak.</param>
    /// <param name="http">A spawned appliance serves HTTP on a free port (soak sends garbage to it and reads /api/status); otherwise --no-http.</param>
    /// <param name="dataDirectory">
    /// A data folder made by <see cref="NewDataDirectory"/> that the caller keeps across starts
    /// (room-disk stops and starts an appliance on one folder): not deleted on dispose. Null: a
    /// fresh folder, deleted on dispose.
    /// </param>
    public static Target Start(LoadOptions options, bool flushToDisk, string dataPrefix, bool tls, bool http = false, string? dataDirectory = null)
    {
        if (options.Server is not null) return new RemoteTarget(options.Server, options.Pid, tls);
        if (options.AppliancePath is not null) return new SpawnedTarget(options, dataPrefix, tls, http, dataDirectory);
        return new InProcessTarget(options, flushToDisk, dataPrefix, tls, dataDirectory);
    }

    internal static string NewDataDirectory(LoadOptions options, string prefix)
    {
        var root = options.DataRoot ?? Path.GetTempPath();
        var path = Path.Combine(root, $"oc-bench-{prefix}-{Guid.NewGuid():N}");
        // 0700, as the appliance wants its data folder (it warns about anything wider).
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Deleted by Dispose, or by BenchCleanup if the run is cut short (a hang, Ctrl-C).
        BenchCleanup.TrackFolder(path);
        return path;
    }

    protected static void DeleteDirectory(string path) => BenchCleanup.DeleteFolder(path);
}

/// <summary>The real <see cref="ApplianceServer"/> on its own thread in this process, as the integration tests run it.</summary>
internal sealed class InProcessTarget : Target
{
    private readonly ApplianceServer _server;
    private readonly Thread _thread;
    private readonly string _dataDirectory;
    private readonly bool _ownsData;
    private Exception? _crash;

    public InProcessTarget(LoadOptions options, bool flushToDisk, string prefix, bool tls, string? dataDirectory = null) : base(tls)
    {
        Log.MinLevel = options.ApplianceLog switch
        {
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Info,
            "error" => LogLevel.Error,
            _ => LogLevel.Warn,
        };
        _ownsData = dataDirectory is null;
        _dataDirectory = dataDirectory ?? NewDataDirectory(options, prefix);
        _server = new ApplianceServer(new ApplianceOptions
        {
            DataDirectory = _dataDirectory,
            BindAddress = IPAddress.Loopback,
            Port = 0,
            Poller = options.Poller,
            Name = "oc-bench",
            FlushToDisk = flushToDisk,
            // TLS with the appliance's own certificate, made in the fresh data folder (as at a first start).
            InsecurePlaintext = !tls,
            IdleTimeout = TimeSpan.FromSeconds(600),
            // The load opens thousands of connections from one address and runs anonymous requests
            // (PING, REGISTER) for whole windows: the stranger limits are lifted, as with --flags below.
            LoginTimeout = TimeSpan.FromSeconds(600),
            MaxAnonymousPerAddress = int.MaxValue,
            MaxAnonymous = int.MaxValue,
            // Thousands of users and connections from 127.0.0.1, each as fast as it can: no rate limits (--no-rate-limits below).
            RateLimits = OC.Appliance.Limits.RateLimitSettings.Off,
            // Not measured, and its fixed port (6678) may be taken by another appliance on this machine.
            HttpEnabled = false,
        });
        _thread = new Thread(() =>
        {
            try { _server.Run(); }
            catch (Exception e) { _crash = e; }
        })
        { Name = "oc-appliance-loop", IsBackground = true };
        _thread.Start();
        Description = $"in-process appliance ({_server.PollerName}, {TransportName}, flush {(flushToDisk ? "on" : "off")}, data in {_dataDirectory})";
    }

    public override IPEndPoint EndPoint => _server.ProtocolEndPoint;
    public override string Description { get; }
    public override StorageSample? Storage => new(_server.Storage.GroupsCommitted, _server.Storage.JobsCompleted);
    public override MessageLogSample? MessageLog => new(_server.Messages.GroupsCommitted, _server.Messages.MessagesStored);
    public override bool IsLoopThread(in ThreadSample thread) => thread.Name.StartsWith("oc-appliance-lo", StringComparison.Ordinal);

    public override void Dispose()
    {
        _server.Stop();
        try
        {
            if (!_server.WaitForStop(TimeSpan.FromSeconds(60))) Console.Error.WriteLine("oc-bench: the appliance did not stop within 60 s");
            _thread.Join(TimeSpan.FromSeconds(5));
            _server.Dispose();
        }
        finally
        {
            if (_ownsData) DeleteDirectory(_dataDirectory);
        }
        if (_crash is not null) throw new InvalidOperationException("the appliance loop crashed", _crash);
    }
}

/// <summary>
/// `oc-appliance` as a child process (the published AOT binary, or the .dll under `dotnet`), on
/// 127.0.0.1 and a port it picks; the port is read from its log. Its log is drained and counted.
/// </summary>
internal sealed partial class SpawnedTarget : Target
{
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly bool _ownsData;
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastLines = new();
    private long _logLines;

    private readonly TaskCompletionSource<int?> _httpPort = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SpawnedTarget(LoadOptions options, string prefix, bool tls, bool http = false, string? dataDirectory = null) : base(tls)
    {
        string path = Path.GetFullPath(options.AppliancePath!);
        if (!File.Exists(path)) throw new UsageException($"--appliance: {path} does not exist (./publish.sh linux-x64 builds the AOT binary)");
        _ownsData = dataDirectory is null;
        _dataDirectory = dataDirectory ?? NewDataDirectory(options, prefix);

        var start = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ProcessStartInfo("dotnet") : new ProcessStartInfo(path);
        if (start.FileName == "dotnet") start.ArgumentList.Add(path);
        // --no-http: the status page is not measured, and its fixed port may be taken by another
        // appliance; with http, any free port (read back from the log like the protocol's).
        string[] httpArgs = http ? ["--http-port", "0"] : ["--no-http"];
        foreach (var arg in (string[])["--data", _dataDirectory, "--port", "0", .. httpArgs, "--bind", "127.0.0.1", "--name", "oc-bench", "--idle-timeout", "600",
                 "--login-timeout", "600", "--max-anonymous-per-address", "1000000", "--max-anonymous", "1000000", "--no-rate-limits"])
            start.ArgumentList.Add(arg);
        // TLS is the default: its own certificate is made in the fresh data folder at start.
        if (!tls) start.ArgumentList.Add("--insecure-plaintext");
        if (options.Poller is not null)
        {
            start.ArgumentList.Add("--poller");
            start.ArgumentList.Add(options.Poller);
        }
        foreach (var (name, value) in options.Environment) start.Environment[name] = value;
        start.UseShellExecute = false;
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
        // Killed by BenchCleanup if the run is cut short, so a hung appliance never outlives the bench.
        BenchCleanup.TrackProcess(_process);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_lastLines)
            {
                _logLines++;
                _lastLines.Enqueue(e.Data);
                if (_lastLines.Count > 20) _lastLines.Dequeue();
            }
            var match = ListenLine().Match(e.Data);
            if (match.Success)
            {
                _httpPort.TrySetResult(match.Groups[2].Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : null);
                _port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _port.TrySetException(new InvalidOperationException("oc-appliance exited:\n" + LastLines));

        if (!_port.Task.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("oc-appliance did not log its port within 30 s:\n" + LastLines);
        EndPoint = new IPEndPoint(IPAddress.Loopback, _port.Task.Result);
        if (_httpPort.Task.Result is int httpPort) HttpEndPoint = new IPEndPoint(IPAddress.Loopback, httpPort);
        string env = options.Environment.Count == 0 ? "" : ", " + string.Join(' ', options.Environment.Select(e => $"{e.Key}={e.Value}"));
        Description = $"{Path.GetFileName(path)} pid {_process.Id}, {TransportName}{env}";
    }

    public override IPEndPoint EndPoint { get; }
    public override IPEndPoint? HttpEndPoint { get; }
    public override string Description { get; }
    public override int? Pid => _process.Id;

    public override string? ExitReport
    {
        get
        {
            if (!_process.HasExited) return null;
            _process.WaitForExit(); // the rest of its stderr
            return $"exit code {_process.ExitCode}; its last lines:\n{LastLines}";
        }
    }

    /// <summary>Lines the appliance logged so far (one per registration and login at Info level).</summary>
    public long LogLines
    {
        get { lock (_lastLines) return _logLines; }
    }

    private string LastLines
    {
        get { lock (_lastLines) return string.Join('\n', _lastLines); }
    }

    public override void Dispose()
    {
        if (!_process.HasExited)
        {
            // SIGTERM, as systemd would: the appliance commits what is pending and closes its database.
            _ = kill(_process.Id, 15);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                Console.Error.WriteLine("oc-bench: oc-appliance did not exit 60 s after SIGTERM; killing it");
                _process.Kill(entireProcessTree: true);
            }
        }
        // Bounded: WaitForExit() without a timeout also waits for the end of its redirected output.
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) Console.Error.WriteLine("oc-bench: oc-appliance's output did not end 10 s after it exited");
        BenchCleanup.ForgetProcess(_process);
        _process.Dispose();
        if (_ownsData) DeleteDirectory(_dataDirectory);
    }

    [GeneratedRegex(@"appliance\.listening: protocol on [^ ]*:(\d+) \([^)]*\), (?:http on [^ ]*:(\d+)|http off)")]
    private static partial Regex ListenLine();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}

/// <summary>An appliance someone else started (`--server`); with `--pid` its memory can be read.</summary>
internal sealed class RemoteTarget(IPEndPoint endPoint, int? pid, bool tls) : Target(tls)
{
    public override IPEndPoint EndPoint { get; } = endPoint;
    public override string Description => $"appliance at {EndPoint}{(pid is int p ? $" pid {p}" : "")}, {TransportName}";
    public override int? Pid => pid;
    public override void Dispose() { }
}
