using System.Diagnostics;
using System.Threading.Channels;

namespace OC.Tests.Cli;

/// <summary>
/// A long-running `oc` (listen, chat) as a process: its stdout and stderr read line by line as
/// they come, stdin written on demand. Dispose kills it if it is still running.
/// </summary>
internal sealed class RunningOc : IAsyncDisposable
{
    public static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _stderr = Channel.CreateUnbounded<string>();
    private readonly Task _readers;
    private readonly string _name;

    private RunningOc(Process process, string name)
    {
        _process = process;
        _name = name;
        _readers = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout.Writer), PumpAsync(process.StandardError, _stderr.Writer));
    }

    /// <summary>Everything read from stderr so far (for failure messages).</summary>
    public List<string> StderrSoFar { get; } = [];

    public static RunningOc Start(string configFolder, params string[] args)
    {
        var process = Process.Start(OcProcess.Prepare(configFolder, null, args)) ?? throw new InvalidOperationException("oc did not start");
        return new RunningOc(process, "oc " + string.Join(' ', args));
    }

    /// <summary>The next stdout line that <paramref name="match"/> accepts (lines before it are skipped and returned too).</summary>
    public Task<(string Line, List<string> Skipped)> StdoutLineAsync(Func<string, bool> match) => LineAsync(_stdout.Reader, match, "stdout");

    public Task<(string Line, List<string> Skipped)> StderrLineAsync(Func<string, bool> match) => LineAsync(_stderr.Reader, match, "stderr");

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteAsync(line + "\n");
        await _process.StandardInput.FlushAsync();
    }

    public void CloseStdin() => _process.StandardInput.Close();

    /// <summary>SIGTERM, as a service manager stops a program (SIGINT is ignored by children of non-interactive shells).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGINT, as Ctrl-C at a terminal sends it to the program in the foreground.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the exit; returns the exit code and the rest of stdout.</summary>
    public async Task<(int ExitCode, List<string> Stdout)> WaitForExitAsync()
    {
        using var deadline = new CancellationTokenSource(LineTimeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await _readers.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_name} did not exit within {LineTimeout.TotalSeconds} s; stderr: {string.Join(" | ", StderrSoFar)}");
        }

        var rest = new List<string>();
        while (_stdout.Reader.TryRead(out var line)) rest.Add(line);
        return (_process.ExitCode, rest);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        try
        {
            await _readers;
        }
        catch (IOException)
        {
        }

        _process.Dispose();
    }

    private async Task<(string, List<string>)> LineAsync(ChannelReader<string> reader, Func<string, bool> match, string stream)
    {
        var skipped = new List<string>();
        using var deadline = new CancellationTokenSource(LineTimeout);
        try
        {
            while (true)
            {
                string line = await reader.ReadAsync(deadline.Token);
                if (match(line)) return (line, skipped);
                skipped.Add(line);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            string why = e is ChannelClosedException ? "ended" : $"had no such line within {LineTimeout.TotalSeconds} s";
            throw new TimeoutException($"{_name}: {stream} {why}; lines: {string.Join(" | ", skipped)}; stderr: {string.Join(" | ", StderrSoFar)}");
        }
    }

    private async Task PumpAsync(StreamReader from, ChannelWriter<string> to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            if (ReferenceEquals(to, _stderr.Writer)) lock (StderrSoFar) StderrSoFar.Add(line);
            to.TryWrite(line);
        }

        to.TryComplete();
    }
}
