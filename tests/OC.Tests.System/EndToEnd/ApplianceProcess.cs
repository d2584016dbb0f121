using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using OC.Protocol.Client;

namespace OC.Tests.EndToEnd;

/// <summary>
/// `oc-appliance` as a separate process: the published AOT binary when OC_APPLIANCE_PATH names
/// it (./test.sh does), else the JIT build next to the tests. Its ports (protocol and HTTP, both
/// chosen by the OS) are read from its log.
/// </summary>
internal sealed partial class ApplianceProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _log = new();

    // Signalled with each new log line (and at exit), so WaitForLog waits instead of polling.
    private readonly SemaphoreSlim _logChanged = new(0);
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int?> _httpPort = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ApplianceProcess(string dataDirectory, params string[] extraArgs)
        : this(dataDirectory, Command(DefaultArgs(dataDirectory, extraArgs)))
    {
    }

    /// <summary>
    /// The appliance that <paramref name="command"/> starts with the usual test arguments (e.g. a
    /// binary for another machine under an emulator).
    /// </summary>
    public static ApplianceProcess Run(Func<IEnumerable<string>, ProcessStartInfo> command, string dataDirectory, params string[] extraArgs) =>
        new(dataDirectory, command(DefaultArgs(dataDirectory, extraArgs)));

    /// <summary>
    /// Loopback, ports chosen by the OS, the name "process-test" unless <paramref name="extraArgs"/>
    /// give a --name, and no rate limits per address unless they set one: every test client comes
    /// from 127.0.0.1, a whole office on one address (the limits per user stay as they are).
    /// </summary>
    private static string[] DefaultArgs(string dataDirectory, string[] extraArgs)
    {
        string[] name = extraArgs.Contains("--name") ? [] : ["--name", "process-test"];
        string[] perAddress = [.. ((string[])["--rate-registrations", "--rate-logins", "--rate-connections"])
            .Where(option => !extraArgs.Contains(option)).SelectMany(option => (string[])[option, "off"])];
        return ["--data", dataDirectory, "--port", "0", "--http-port", "0", "--bind", "127.0.0.1", .. name, .. perAddress, .. extraArgs];
    }

    private ApplianceProcess(string dataDirectory, ProcessStartInfo start)
    {
        DataDirectory = dataDirectory;
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        _process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("could not start oc-appliance");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_log) _log.AppendLine(e.Data);
            _logChanged.Release();
            var match = ListenLine().Match(e.Data);
            if (!match.Success) return;
            _port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            var http = HttpListenPart().Match(e.Data);
            _httpPort.TrySetResult(http.Success ? int.Parse(http.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null);
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        _process.Exited += (_, _) =>
        {
            _logChanged.Release();
            _port.TrySetException(new InvalidOperationException("oc-appliance exited during start-up:\n" + Log));
            _httpPort.TrySetException(new InvalidOperationException("oc-appliance exited during start-up:\n" + Log));
        };
        _process.EnableRaisingEvents = true;
        if (_process.HasExited)
        {
            _port.TrySetException(new InvalidOperationException("oc-appliance exited during start-up:\n" + Log));
            _httpPort.TrySetException(new InvalidOperationException("oc-appliance exited during start-up:\n" + Log));
        }
    }

    public string DataDirectory { get; }

    public int Pid => _process.Id;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>The protocol port, once the appliance has logged that it listens.</summary>
    public int Port => _port.Task.WaitAsync(StartTimeout).GetAwaiter().GetResult();

    /// <summary>The HTTP status page's port, or null when started with --no-http.</summary>
    public int? HttpPort => _httpPort.Task.WaitAsync(StartTimeout).GetAwaiter().GetResult();

    /// <summary>The certificate's fingerprint from the start-up log (logged before the port); null with --insecure-plaintext.</summary>
    public string? Fingerprint
    {
        get
        {
            _ = Port;
            var match = FingerprintPart().Match(Log);
            return match.Success ? match.Groups[1].Value : null;
        }
    }

    /// <summary>TLS pinned to the logged fingerprint, or plaintext when the appliance runs without TLS.</summary>
    public OcTransport Transport => Fingerprint is { } fingerprint ? OcTransport.Pinned(fingerprint) : OcTransport.Plaintext;

    public Task<OcConnection> ConnectAsync() => OcConnection.ConnectAsync("127.0.0.1", Port, "process-tests", Transport);

    /// <summary>
    /// The appliance inside a network namespace (<c>ip netns exec NS oc-appliance --data DIR ARGS</c>):
    /// ip execs the appliance, so <see cref="Pid"/> and <see cref="Terminate"/> reach it directly.
    /// </summary>
    public static ApplianceProcess InNamespace(string netns, string dataDirectory, params string[] args)
    {
        var inner = Command(["--data", dataDirectory, .. args]);
        var start = new ProcessStartInfo("ip") { UseShellExecute = false };
        foreach (var arg in (string[])["netns", "exec", netns, inner.FileName, .. inner.ArgumentList]) start.ArgumentList.Add(arg);
        return new ApplianceProcess(dataDirectory, start);
    }

    /// <summary>Waits until a log line contains <paramref name="text"/>, and returns that line.</summary>
    public string WaitForLog(string text, TimeSpan timeout)
    {
        long end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var line = Log.Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) return line;
            if (_process.HasExited) throw new InvalidOperationException($"oc-appliance exited (code {_process.ExitCode}) before logging '{text}':\n{Log}");
            long left = end - Environment.TickCount64;
            if (left <= 0 || !_logChanged.Wait(TimeSpan.FromMilliseconds(left)))
                throw new TimeoutException($"no '{text}' in the appliance's log within {timeout.TotalSeconds} s:\n{Log}");
        }
    }

    /// <summary>The command that runs the appliance under test with the given arguments.</summary>
    public static ProcessStartInfo Command(IEnumerable<string> args)
    {
        var published = Environment.GetEnvironmentVariable("OC_APPLIANCE_PATH");
        ProcessStartInfo start;
        if (!string.IsNullOrEmpty(published))
        {
            start = new ProcessStartInfo(published);
        }
        else
        {
            start = new ProcessStartInfo("dotnet");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "oc-appliance.dll"));
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.UseShellExecute = false;
        return start;
    }

    /// <summary>SIGTERM, as systemd or Ctrl-C would; returns the exit code.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (kill(_process.Id, 15) != 0) throw new InvalidOperationException("kill(SIGTERM) failed: " + Marshal.GetLastPInvokeError());
        if (!_process.WaitForExit(timeout)) throw new TimeoutException("oc-appliance did not exit after SIGTERM:\n" + Log);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>kill -9: no shutdown code runs at all.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) KillHard();
        _process.Dispose();
    }

    [GeneratedRegex(@"appliance\.listening: protocol on [^ ]*:(\d+) ")]
    private static partial Regex ListenLine();

    [GeneratedRegex(@", http on [^ ,]*:(\d+),")]
    private static partial Regex HttpListenPart();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [GeneratedRegex(@"appliance\.tls: .*fingerprint (SHA256:[A-Za-z0-9+/]{43})")]
    private static partial Regex FingerprintPart();
}
