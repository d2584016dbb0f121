using System.Diagnostics;
using System.Text;
using OC.Tests.EndToEnd;

namespace OC.Tests.Cli;

/// <summary>
/// The real `oc` on a real pseudo-terminal: a tmux server of its own (its own socket) runs a small
/// shell script in a detached session of a given size. The script saves `stty -a`, waits for a
/// line (so that the pane's output is piped to us from the first byte), runs oc, then saves its
/// exit code and `stty -a` again and prints "OC-EXITED CODE". Keys go in with send-keys; the
/// screen comes back with capture-pane; every byte oc writes (escapes included) comes through
/// pipe-pane into <see cref="Raw"/>.
/// </summary>
/// <remarks>
/// Waiting is on the pane's output, not on a clock: each time bytes arrive the screen is captured
/// again and the condition checked, until it holds or the time is up. tmux handles one thing at a
/// time, so a capture asked after a chunk was piped already shows that chunk.
/// </remarks>
internal sealed class TmuxScreen : IAsyncDisposable
{
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    private readonly string _socket = "oc-ui-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _folder;
    private readonly StringBuilder _raw = new();
    private readonly SemaphoreSlim _output = new(0);
    private Task? _pump;

    private TmuxScreen(string folder) => _folder = folder;

    /// <summary>Where oc runs (its current folder: downloads land here) and the script's files are.</summary>
    public string Folder => _folder;

    /// <summary>Everything oc wrote to the terminal so far, escapes included.</summary>
    public string Raw
    {
        get
        {
            lock (_raw) return _raw.ToString();
        }
    }

    public static bool Available() => FindOnPath("tmux") is not null;

    /// <summary>Starts oc with <paramref name="args"/> (after --trust-first-use) in a <paramref name="width"/>×<paramref name="height"/> terminal.</summary>
    public static Task<TmuxScreen> StartAsync(string configFolder, string workFolder, int width, int height, IReadOnlyDictionary<string, string>? variables, params string[] args) =>
        StartAsync(configFolder, workFolder, width, height, variables, trustFirstUse: true, args);

    /// <summary>As above; without <paramref name="trustFirstUse"/> oc asks about a new appliance's certificate (the trust tests).</summary>
    public static async Task<TmuxScreen> StartAsync(
        string configFolder, string workFolder, int width, int height, IReadOnlyDictionary<string, string>? variables, bool trustFirstUse, params string[] args)
    {
        var screen = new TmuxScreen(workFolder);
        var oc = OcProcess.Prepare(configFolder, variables, args, trustFirstUse);
        var words = new List<string> { oc.FileName };
        words.AddRange(oc.ArgumentList);
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("unset DISPLAY WAYLAND_DISPLAY OC_SERVER XDG_CONFIG_HOME NO_COLOR\n");
        script.Append("export OC_CONFIG_DIR=").Append(Quote(configFolder)).Append('\n');
        foreach (var (name, value) in variables ?? new Dictionary<string, string>()) script.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
        script.Append("stty -a > stty-before.txt\n");
        script.Append("read go\n");
        script.Append(string.Join(' ', words.Select(Quote))).Append('\n');
        script.Append("code=$?\n");
        script.Append("stty -a > stty-after.txt\n");
        script.Append("echo \"OC-EXITED $code\"\n");
        script.Append("exec sleep 600\n");
        string scriptPath = Path.Combine(workFolder, "run-oc.sh");
        await File.WriteAllTextAsync(scriptPath, script.ToString());
        string fifo = Path.Combine(workFolder, "pane.fifo");
        await screen.TmuxAsync("-f", "/dev/null", "new-session", "-d", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s", "oc", "-c", workFolder, "sh " + Quote(scriptPath));
        await RunAsync("mkfifo", fifo);
        screen._pump = Task.Run(() => screen.Pump(fifo));
        await screen.TmuxAsync("pipe-pane", "-O", "-t", "oc", "cat > " + Quote(fifo));
        await screen.WaitForFileAsync("stty-before.txt");
        await screen.TmuxAsync("send-keys", "-t", "oc", "Enter");
        return screen;
    }

    /// <summary>The screen as text, one line per row.</summary>
    public async Task<string[]> CaptureAsync()
    {
        string text = await TmuxAsync("capture-pane", "-p", "-t", "oc");
        return text.Split('\n');
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the screen; fails with the last screen when it does not in time.</summary>
    public async Task<string[]> WaitForAsync(Func<string[], bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        string[] screen = [];
        while (true)
        {
            screen = await CaptureAsync();
            if (condition(screen)) return screen;
            var left = WaitTimeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !await _output.WaitAsync(left))
            {
                screen = await CaptureAsync();
                if (condition(screen)) return screen;
                Assert.Fail($"the screen never showed {what} within {WaitTimeout.TotalSeconds} s; it shows:\n{string.Join('\n', screen)}");
            }
        }
    }

    /// <summary>Waits until the screen contains <paramref name="text"/>.</summary>
    public Task<string[]> WaitForTextAsync(string text) =>
        WaitForAsync(s => s.Any(line => line.Contains(text, StringComparison.Ordinal)), $"\"{text}\"");

    /// <summary>Waits for the raw output to contain <paramref name="text"/> (escape sequences, say).</summary>
    public async Task WaitForRawAsync(string text, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!Raw.Contains(text, StringComparison.Ordinal))
        {
            var left = WaitTimeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !await _output.WaitAsync(left))
            {
                if (Raw.Contains(text, StringComparison.Ordinal)) return;
                Assert.Fail($"oc never wrote {what} within {WaitTimeout.TotalSeconds} s");
            }
        }
    }

    /// <summary>Keys by tmux's names (Enter, C-k, PageUp, F2, …).</summary>
    public Task KeysAsync(params string[] keys) => TmuxAsync(["send-keys", "-t", "oc", .. keys]);

    /// <summary>Text typed as it is (-l: no key names).</summary>
    public Task TypeAsync(string text) => TmuxAsync("send-keys", "-t", "oc", "-l", text);

    public Task ResizeAsync(int width, int height) =>
        TmuxAsync("resize-window", "-t", "oc", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Whether the pane is on the alternate screen now.</summary>
    public async Task<bool> AlternateScreenAsync() => (await TmuxAsync("display-message", "-p", "-t", "oc", "#{alternate_on}")).Trim() == "1";

    /// <summary>Waits for oc to end; returns its exit code and the terminal settings before and after it.</summary>
    public async Task<(int ExitCode, string SttyBefore, string SttyAfter)> WaitForExitAsync()
    {
        var screen = await WaitForAsync(s => s.Any(l => l.StartsWith("OC-EXITED ", StringComparison.Ordinal)), "oc's exit");
        string line = screen.First(l => l.StartsWith("OC-EXITED ", StringComparison.Ordinal));
        int code = int.Parse(line["OC-EXITED ".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await WaitForFileAsync("stty-after.txt");
        // The size is not a setting oc changes (a resize in between changes it): left out.
        return (code,
            WithoutSize(await File.ReadAllTextAsync(Path.Combine(_folder, "stty-before.txt"))),
            WithoutSize(await File.ReadAllTextAsync(Path.Combine(_folder, "stty-after.txt"))));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Gone already.
        }

        if (_pump is not null) await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(5)));
        _output.Dispose();
    }

    private void Pump(string fifo)
    {
        using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Read);
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[8192 + 4];
        int read;
        while ((read = stream.Read(bytes)) > 0)
        {
            int n = decoder.GetChars(bytes, 0, read, chars, 0);
            lock (_raw) _raw.Append(chars, 0, n);
            _output.Release();
        }
    }

    private async Task WaitForFileAsync(string name)
    {
        // The script writes it after a few milliseconds (stty); the pane's output is the signal for
        // the exit file, and this one comes before any output, so it is waited for by watching the folder.
        string path = Path.Combine(_folder, name);
        using var watcher = new FileSystemWatcher(_folder, name) { EnableRaisingEvents = true };
        var changed = new TaskCompletionSource();
        watcher.Created += (_, _) => changed.TrySetResult();
        watcher.Changed += (_, _) => changed.TrySetResult();
        if (!File.Exists(path)) await changed.Task.WaitAsync(WaitTimeout);
        // stty writes it at once; the next line of the script runs only when it is complete.
    }

    private Task<string> TmuxAsync(params string[] args) => RunAsync("tmux", ["-L", _socket, .. args]);

    private static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    private static string WithoutSize(string stty) =>
        System.Text.RegularExpressions.Regex.Replace(stty, @"rows \d+; columns \d+;", "");

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);
}
