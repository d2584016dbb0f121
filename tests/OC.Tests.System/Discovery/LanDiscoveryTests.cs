using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Makaretu.Dns;
using OC.Tests.Cli;
using OC.Tests.EndToEnd;
using OC.Tests.Integration;
using OC.Tests.Support;
using Xunit.Abstractions;

namespace OC.Tests.Discovery;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkNamespaceCollection
{
    public const string Name = "network namespaces";
}

/// <summary>
/// Discovery with real parts: the appliance (the published binary under ./test.sh) in network
/// namespace A, and in namespace B the real `oc`, dig, mdns-scan and avahi-browse, over a veth
/// pair. Needs root; in CI a missing prerequisite fails, elsewhere the tests note it and return.
/// One at a time: each starts processes and waits on timers; in parallel they would only slow each other.
/// </summary>
[Collection(NetworkNamespaceCollection.Name)]
public sealed partial class LanDiscoveryTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Announced = TimeSpan.FromSeconds(20);
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders) TempDirectory.Delete(folder);
    }

    private string Folder(string prefix)
    {
        var folder = TempDirectory.Create(prefix);
        _folders.Add(folder);
        return folder;
    }

    private ApplianceProcess StartAppliance(string netns, string name) =>
        ApplianceProcess.InNamespace(netns, Folder("oc-mdns-data"), "--port", "6677", "--http-port", "0", "--name", name);

    private static List<JsonElement> Servers(OcRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("servers").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public async Task An_appliance_in_one_namespace_is_seen_from_the_other_by_oc_dig_mdns_scan_and_avahi()
    {
        if (!NamespaceSupport.Check(output)) return;
        using var net = new NamespacePair();
        using var appliance = StartAppliance(net.A, "Lab appliance");
        output.WriteLine(appliance.WaitForLog("mdns.announced", Announced));

        // oc servers --json, as a user in B would run it.
        var servers = Servers(await OcProcess.RunInNamespaceAsync(net.B, Folder("oc-mdns-cfg"), null, null, "servers", "--json"));
        var lab = Assert.Single(servers);
        Assert.Equal("Lab appliance", lab.GetProperty("name").GetString());
        Assert.Equal($"{net.AddressA}:6677", lab.GetProperty("server").GetString());
        Assert.Equal(6677, lab.GetProperty("port").GetInt32());
        Assert.Equal(1, lab.GetProperty("version").GetInt32());
        Assert.Equal(appliance.HttpPort, lab.GetProperty("httpPort").GetInt32());
        string id = lab.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        // The certificate's fingerprint as the appliance logged it, not trusted yet by this oc.
        Assert.Equal(appliance.Fingerprint, lab.GetProperty("fingerprint").GetString());
        Assert.Equal("no", lab.GetProperty("trust").GetString());

        // dig -p 5353 @A: a legacy unicast query, answered with the query's id and TTLs of 10 s at most.
        var dig = net.InB("dig", "+time=2", "+tries=3", "-p", "5353", "@" + net.AddressA, "-t", "PTR", "_oc._tcp.local");
        output.WriteLine(dig.Stdout);
        Assert.True(dig.ExitCode == 0, dig.ToString());
        Assert.Contains("status: NOERROR", dig.Stdout, StringComparison.Ordinal);
        var answer = DigPtrAnswer().Match(dig.Stdout);
        Assert.True(answer.Success, dig.Stdout);
        Assert.InRange(int.Parse(answer.Groups[1].Value, CultureInfo.InvariantCulture), 1, 10);
        Assert.Equal(@"Lab\032appliance._oc._tcp.local.", answer.Groups[2].Value);
        Assert.Contains($"\"id={id}\"", dig.Stdout, StringComparison.Ordinal);
        // The certificate's fingerprint, as the appliance logged it (and shows on its status page).
        Assert.NotNull(appliance.Fingerprint);
        Assert.Contains($"\"fp={appliance.Fingerprint}\"", dig.Stdout, StringComparison.Ordinal);

        // mdns-scan browses _services._dns-sd._udp.local and prints every instance; it never ends by itself.
        var scan = net.InB("timeout", "4", "mdns-scan");
        output.WriteLine(scan.Stdout.Replace('\r', '\n'));
        Assert.Contains("+ Lab appliance._oc._tcp.local", scan.Stdout + scan.Stderr, StringComparison.Ordinal);

        // avahi-browse, resolving, through an avahi-daemon of B's own.
        using (var avahi = new AvahiDaemon(net.B, net.LinkB, "oc-test-b"))
        {
            var browse = avahi.Run("avahi-browse", "-rpt", "_oc._tcp");
            output.WriteLine(browse.Stdout);
            var resolved = browse.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("=;", StringComparison.Ordinal) && l.Contains(@";Lab\032appliance;_oc._tcp;local;", StringComparison.Ordinal));
            Assert.True(resolved is not null, browse.ToString() + "\navahi log:\n" + avahi.Log);
            Assert.Contains($";{net.AddressA};6677;", resolved, StringComparison.Ordinal);
            Assert.Contains("\"v=1\"", resolved, StringComparison.Ordinal);
            Assert.Contains($"\"id={id}\"", resolved, StringComparison.Ordinal);
            Assert.Contains($"\"fp={appliance.Fingerprint}\"", resolved, StringComparison.Ordinal);
        }

        // No --server, no OC_SERVER, nothing remembered: oc finds the one appliance and says so.
        string config = Folder("oc-mdns-cfg");
        var register = await OcProcess.RunInNamespaceAsync(net.B, config, "s3cret\n", null, "register", "--nick", "finder", "--password-stdin");
        Assert.True(register.ExitCode == 0, register.ToString());
        Assert.Equal($"oc: using appliance Lab appliance at {net.AddressA}:6677 (found on the LAN)\n", register.Stderr);
        Assert.Contains("Your OC number is", register.Stdout, StringComparison.Ordinal);

        // Trusted on first use by that register: oc servers now says so.
        var trusted = Assert.Single(Servers(await OcProcess.RunInNamespaceAsync(net.B, config, null, null, "servers", "--json")));
        Assert.Equal("yes", trusted.GetProperty("trust").GetString());
        Assert.Equal(appliance.Fingerprint, trusted.GetProperty("trustedFingerprint").GetString());
    }

    [Fact]
    public async Task SIGTERM_sends_goodbyes_that_a_listener_and_avahi_browse_see()
    {
        if (!NamespaceSupport.Check(output)) return;
        using var net = new NamespacePair();
        using var avahi = new AvahiDaemon(net.B, net.LinkB, "oc-test-b");
        using var listener = MdnsListener.Open(net.B, net.LinkB);
        using var appliance = StartAppliance(net.A, "Goodbye test");
        appliance.WaitForLog("mdns.announced", Announced);

        using var browse = Process.Start(avahi.Client("avahi-browse", "-p", "_oc._tcp"))!;
        var lines = new StringBuilder();
        // Each line avahi-browse prints is the signal to look again (the channel ends with its output).
        var printed = Channel.CreateUnbounded<string>();
        browse.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                printed.Writer.TryComplete();
                return;
            }
            lock (lines) lines.AppendLine(e.Data);
            printed.Writer.TryWrite(e.Data);
        };
        browse.BeginOutputReadLine();
        string Lines() { lock (lines) return lines.ToString(); }
        try
        {
            await WaitForOutputAsync(printed.Reader, () => Lines().Contains(@"+;", StringComparison.Ordinal) && Lines().Contains(@"Goodbye\032test", StringComparison.Ordinal), () => Lines() + avahi.Log);

            Assert.Equal(0, appliance.Terminate(TimeSpan.FromSeconds(30)));
            Assert.Contains("mdns.goodbye", appliance.Log, StringComparison.Ordinal);

            var goodbye = await listener.WaitForAsync(m => m.IsResponse && m.Answers.Any(r =>
                r is PTRRecord ptr && ptr.DomainName.Labels[0] == "Goodbye test" && r.TTL == TimeSpan.Zero), Eventually.Deadline);
            Assert.NotNull(goodbye);
            Assert.All(goodbye.Answers, r => Assert.Equal(TimeSpan.Zero, r.TTL));

            await WaitForOutputAsync(printed.Reader, () => Lines().Contains(@"-;", StringComparison.Ordinal), Lines);
            Assert.Contains(@"Goodbye\032test;_oc._tcp;local", Lines().Split('\n').First(l => l.StartsWith("-;", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
        finally
        {
            if (!browse.HasExited) browse.Kill();
        }
    }

    [Fact]
    public async Task Two_appliances_with_one_name_end_up_with_two_names_and_oc_will_not_guess()
    {
        if (!NamespaceSupport.Check(output)) return;
        using var net = new NamespacePair();
        using var first = StartAppliance(net.A, "Twin");
        first.WaitForLog("mdns.announced", Announced);
        using var second = StartAppliance(net.B, "Twin");
        output.WriteLine(second.WaitForLog("mdns.announced", Announced));
        Assert.Contains("'Twin (2)'", second.WaitForLog("mdns.renamed", Announced), StringComparison.Ordinal);

        var servers = Servers(await OcProcess.RunInNamespaceAsync(net.A, Folder("oc-mdns-cfg"), null, null, "servers", "--json"));
        Assert.Equal(
            [("Twin", $"{net.AddressA}:6677"), ("Twin (2)", $"{net.AddressB}:6677")],
            servers.Select(s => (s.GetProperty("name").GetString(), s.GetProperty("server").GetString())));

        var register = await OcProcess.RunInNamespaceAsync(net.A, Folder("oc-mdns-cfg"), "s3cret\n", null, "register", "--nick", "x", "--password-stdin");
        Assert.Equal(2, register.ExitCode);
        Assert.Equal($"oc: 2 appliances found on the LAN: Twin ({net.AddressA}:6677), Twin (2) ({net.AddressB}:6677); choose one with --server HOST[:PORT] or set OC_SERVER\n", register.Stderr);
    }

    [Fact]
    public async Task An_interface_that_comes_up_later_is_announced_on()
    {
        if (!NamespaceSupport.Check(output)) return;
        using var net = new NamespacePair(configureA: false);
        using var appliance = StartAppliance(net.A, "Late link");
        Assert.Contains("no interface with IPv4 multicast yet", appliance.WaitForLog("mdns.starting", Announced), StringComparison.Ordinal);

        net.ConfigureA();
        appliance.WaitForLog("mdns.announced", Announced); // the next look at the interfaces (every 5 s) finds it
        var lab = Assert.Single(Servers(await OcProcess.RunInNamespaceAsync(net.B, Folder("oc-mdns-cfg"), null, null, "servers", "--json")));
        Assert.Equal($"{net.AddressA}:6677", lab.GetProperty("server").GetString());
    }

    /// <summary>Waits until <paramref name="condition"/> holds, looking again each time the process prints a line.</summary>
    private static async Task WaitForOutputAsync(ChannelReader<string> printed, Func<bool> condition, Func<string> describe)
    {
        using var deadline = new CancellationTokenSource(Eventually.Deadline);
        try
        {
            while (!condition())
            {
                if (!await printed.WaitToReadAsync(deadline.Token)) Assert.Fail("the process's output ended; seen:\n" + describe());
                while (printed.TryRead(out _)) { }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"nothing matched within {Eventually.Deadline.TotalSeconds:0} s; seen:\n" + describe());
        }
    }

    [GeneratedRegex(@"^_oc\._tcp\.local\.\s+(\d+)\s+IN\s+PTR\s+(\S+)$", RegexOptions.Multiline)]
    private static partial Regex DigPtrAnswer();
}
