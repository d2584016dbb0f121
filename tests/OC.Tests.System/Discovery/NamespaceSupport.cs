using System.Diagnostics;
using Xunit.Abstractions;

namespace OC.Tests.Discovery;

/// <summary>What one run of an outside command left behind.</summary>
internal sealed record CommandRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// Whether the network-namespace tests can run here: Linux, root, and the tools .ci/run installs
/// (iproute2, bind9-dnsutils, mdns-scan, avahi-daemon, avahi-utils, dbus). In CI (CI=true, as
/// root) a missing piece fails the test loudly; elsewhere the test returns early with a note.
/// </summary>
internal static class NamespaceSupport
{
    private static readonly string[] Tools = ["ip", "dig", "mdns-scan", "avahi-daemon", "avahi-browse", "dbus-daemon", "timeout"];
    private static readonly Lazy<string?> s_missing = new(FindMissing);

    public static bool Check(ITestOutputHelper output)
    {
        if (s_missing.Value is not { } missing) return true;
        string message = $"network namespace tests cannot run: {missing}";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(message + " (CI runs .ci/run as root, which installs the tools)");
        output.WriteLine("SKIPPED: " + message);
        return false;
    }

    private static string? FindMissing()
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        if (!Environment.IsPrivilegedProcess) return "not root (ip netns needs it)";
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]);
        var absent = Tools.Where(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool)))).ToList();
        if (absent.Count > 0) return "missing " + string.Join(", ", absent) + " (apt-get install -y iproute2 bind9-dnsutils mdns-scan avahi-daemon avahi-utils dbus)";
        string probe = "oc-t-probe-" + Guid.NewGuid().ToString("N")[..6];
        var add = Run("ip", "netns", "add", probe);
        if (add.ExitCode != 0) return "ip netns add failed: " + add.Stderr.Trim();
        Run("ip", "netns", "del", probe);
        return null;
    }

    /// <summary>Runs a command to its end (at most <paramref name="timeout"/>, then it is killed).</summary>
    public static CommandRun Run(string file, params string[] args) => RunFor(TimeSpan.FromSeconds(30), file, args);

    public static CommandRun RunFor(TimeSpan timeout, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        return new CommandRun(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

/// <summary>
/// Two network namespaces joined by a veth pair, made by the test and removed by Dispose (also
/// after a failure): A has 169.254.N.1/24, B 169.254.N.2/24 (link-local; the traffic never leaves
/// the two namespaces), both links up with multicast on and a route for 224.0.0.0/4.
/// </summary>
internal sealed class NamespacePair : IDisposable
{
    public NamespacePair(bool configureA = true)
    {
        string id = Guid.NewGuid().ToString("N")[..6];
        int subnet = Random.Shared.Next(1, 255);
        A = $"oc-t-{id}-a";
        B = $"oc-t-{id}-b";
        LinkA = $"oct{id}a";
        LinkB = $"oct{id}b";
        AddressA = $"169.254.{subnet}.1";
        AddressB = $"169.254.{subnet}.2";
        try
        {
            Ip("netns", "add", A);
            Ip("netns", "add", B);
            Ip("link", "add", LinkA, "type", "veth", "peer", "name", LinkB);
            Ip("link", "set", LinkA, "netns", A);
            Ip("link", "set", LinkB, "netns", B);
            Ip("-n", A, "link", "set", "lo", "up");
            Ip("-n", B, "link", "set", "lo", "up");
            Configure(B, LinkB, AddressB);
            if (configureA) ConfigureA();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string A { get; }
    public string B { get; }
    public string LinkA { get; }
    public string LinkB { get; }
    public string AddressA { get; }
    public string AddressB { get; }

    /// <summary>Gives A's end of the link its address and brings it up (for a link that comes up late).</summary>
    public void ConfigureA() => Configure(A, LinkA, AddressA);

    public CommandRun InA(string file, params string[] args) => NamespaceSupport.Run("ip", ["netns", "exec", A, file, .. args]);

    public CommandRun InB(string file, params string[] args) => NamespaceSupport.Run("ip", ["netns", "exec", B, file, .. args]);

    public void Dispose()
    {
        // Deleting a namespace deletes the veth end in it, and so the pair.
        NamespaceSupport.Run("ip", "netns", "del", A);
        NamespaceSupport.Run("ip", "netns", "del", B);
        NamespaceSupport.Run("ip", "link", "del", LinkA);
    }

    private static void Configure(string netns, string link, string address)
    {
        Ip("-n", netns, "addr", "add", address + "/24", "dev", link);
        Ip("-n", netns, "link", "set", link, "up", "multicast", "on");
        Ip("-n", netns, "route", "add", "224.0.0.0/4", "dev", link);
    }

    private static void Ip(params string[] args)
    {
        var run = NamespaceSupport.Run("ip", args);
        if (run.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {run}");
    }
}
