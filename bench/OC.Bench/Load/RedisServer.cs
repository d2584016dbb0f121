using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OC.Bench.Load;

/// <summary>redis-server as a child process on 127.0.0.1 and a free port, saving nothing; killed and its folder deleted on dispose.</summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private RedisServer(Process process, string folder, IPEndPoint endPoint, string version)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
        Version = version;
    }

    public IPEndPoint EndPoint { get; }
    public string Version { get; }

    public static RedisServer Start(LoadOptions options)
    {
        var folder = Path.Combine(options.DataRoot ?? Path.GetTempPath(), $"oc-bench-redis-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        BenchCleanup.TrackFolder(folder);
        int port = FreePort();
        var start = new ProcessStartInfo(options.RedisServerPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", folder, "--protected-mode", "no", "--loglevel", "warning"])
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            BenchCleanup.DeleteFolder(folder);
            throw new UsageException($"--redis: could not start {options.RedisServerPath} ({e.Message}); apt-get install -y redis-server");
        }
        BenchCleanup.TrackProcess(process);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var server = new RedisServer(process, folder, endPoint, VersionOf(options.RedisServerPath));
        // Ready when it accepts a connection (it logs nothing at --loglevel warning).
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Connect(endPoint);
                return server;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline && !process.HasExited)
            {
                // Not listening yet: wait a little (and notice at once if it exits instead).
                process.WaitForExit(20);
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        BenchCleanup.ForgetProcess(_process);
        _process.Dispose();
        BenchCleanup.DeleteFolder(_folder);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string VersionOf(string path)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            if (p is null) return "?";
            string text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(5000);
            return text;
        }
        catch (System.ComponentModel.Win32Exception) { return "?"; }
    }
}
