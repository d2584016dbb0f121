using System.Diagnostics;

namespace OC.Tests.Cli;

/// <summary>What one run of `oc` left behind.</summary>
internal sealed record OcRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Runs the real `oc` program as a process: the published NativeAOT binary named by
/// <c>OC_CLI_PATH</c> when set (CI does this), else the oc.dll built next to the tests, with dotnet.
/// </summary>
/// <remarks>
/// Every run trusts an appliance on first use (<c>--trust-first-use</c>, before the command's
/// words), as a script that accepts the risk does: the appliance speaks TLS and these runs test
/// other things than trust. The <c>Untrusted</c> runs leave it out, for the tests of trust itself.
/// </remarks>
internal static class OcProcess
{
    public const string CliPathVariable = "OC_CLI_PATH";

    /// <summary>What every run but an untrusted one starts with.</summary>
    public const string TrustFirstUse = "--trust-first-use";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    public static Task<OcRun> RunAsync(string configFolder, string? stdin, IReadOnlyDictionary<string, string>? variables, params string[] args) =>
        RunAsync(Prepare(configFolder, variables, args), stdin, args);

    /// <summary>Runs oc with exactly <paramref name="args"/>: no <c>--trust-first-use</c> (the trust tests).</summary>
    public static Task<OcRun> RunUntrustedAsync(string configFolder, string? stdin, params string[] args) =>
        RunAsync(Prepare(StartInfo(), configFolder, null, args, trustFirstUse: false), stdin, args);

    /// <summary>Runs the oc that <paramref name="program"/> starts (e.g. a binary for another machine under an emulator).</summary>
    public static Task<OcRun> RunProgramAsync(ProcessStartInfo program, string configFolder, string? stdin, IReadOnlyDictionary<string, string>? variables, params string[] args) =>
        RunAsync(Prepare(program, configFolder, variables, args), stdin, args);

    /// <summary>Runs oc inside a network namespace: <c>ip netns exec NS oc ARGS</c>.</summary>
    public static Task<OcRun> RunInNamespaceAsync(string netns, string configFolder, string? stdin, IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        var start = Prepare(configFolder, variables, args);
        string[] inner = [start.FileName, .. start.ArgumentList];
        start.FileName = "ip";
        start.ArgumentList.Clear();
        foreach (var arg in (string[])["netns", "exec", netns, .. inner]) start.ArgumentList.Add(arg);
        return RunAsync(start, stdin, args);
    }

    private static async Task<OcRun> RunAsync(ProcessStartInfo start, string? stdin, string[] args)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException("oc did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();

        using var deadline = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"oc {string.Join(' ', args)} did not exit within {s_timeout.TotalSeconds} s");
        }

        return new OcRun(process.ExitCode, (await stdout).ReplaceLineEndings("\n"), (await stderr).ReplaceLineEndings("\n"));
    }

    /// <summary>
    /// Runs oc on a pseudo-terminal, as a user at a terminal does: script(1) (util-linux, in every
    /// Debian) gives it one and copies what it draws, stdout and stderr together, to our pipe.
    /// </summary>
    public static Task<OcRun> RunOnTerminalAsync(string configFolder, params string[] args) =>
        RunOnTerminalAsync(configFolder, null, trustFirstUse: true, args);

    /// <summary><see cref="RunOnTerminalAsync(string, string[])"/> with environment variables set (NO_COLOR, say).</summary>
    public static Task<OcRun> RunOnTerminalAsync(string configFolder, IReadOnlyDictionary<string, string> variables, params string[] args) =>
        RunOnTerminalAsync(configFolder, null, trustFirstUse: true, args, variables);

    /// <summary>
    /// <see cref="RunOnTerminalAsync(string, string[])"/> with exactly <paramref name="args"/>, and
    /// <paramref name="typed"/> typed at the terminal (script(1) copies its stdin to the terminal).
    /// </summary>
    public static Task<OcRun> RunUntrustedOnTerminalAsync(string configFolder, string? typed, params string[] args) =>
        RunOnTerminalAsync(configFolder, typed, trustFirstUse: false, args);

    private static Task<OcRun> RunOnTerminalAsync(string configFolder, string? typed, bool trustFirstUse, string[] args,
        IReadOnlyDictionary<string, string>? variables = null)
    {
        var oc = StartInfo();
        var words = new List<string> { oc.FileName };
        words.AddRange(oc.ArgumentList);
        if (trustFirstUse) words.Add(TrustFirstUse);
        words.AddRange(args);
        string command = string.Join(' ', words.Select(w => "'" + w.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = Prepare(new ProcessStartInfo("script"), configFolder, variables, ["--quiet", "--return", "--command", command, "/dev/null"], trustFirstUse: false);
        return RunAsync(start, typed, args);
    }

    /// <summary>The start of a run of oc with all three standard streams redirected.</summary>
    internal static ProcessStartInfo Prepare(string configFolder, IReadOnlyDictionary<string, string>? variables, string[] args, bool trustFirstUse = true) =>
        Prepare(StartInfo(), configFolder, variables, args, trustFirstUse);

    private static ProcessStartInfo Prepare(
        ProcessStartInfo start, string configFolder, IReadOnlyDictionary<string, string>? variables, string[] args, bool trustFirstUse = true)
    {
        if (trustFirstUse) start.ArgumentList.Add(TrustFirstUse);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = System.Text.Encoding.UTF8;
        start.StandardErrorEncoding = System.Text.Encoding.UTF8;

        // Only what the test says: nothing from the developer's own oc setup leaks in.
        start.Environment.Remove("OC_SERVER");
        start.Environment.Remove("XDG_CONFIG_HOME");
        start.Environment["OC_CONFIG_DIR"] = configFolder;
        foreach (var (name, value) in variables ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }

    private static ProcessStartInfo StartInfo()
    {
        if (Environment.GetEnvironmentVariable(CliPathVariable) is { Length: > 0 } published)
        {
            return new ProcessStartInfo(published);
        }

        // The test project references OC.CliClient, so oc.dll and its runtimeconfig sit next to us.
        string dll = Path.Combine(AppContext.BaseDirectory, "oc.dll");
        var start = new ProcessStartInfo(DotnetHost());
        start.ArgumentList.Add(dll);
        return start;
    }

    private static string DotnetHost()
    {
        // The test host usually runs under the dotnet host itself; else the SDK tells us where it is.
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
