using System.Net;
using OC.CliClient;
using OC.CliClient.Config;
using OC.CliClient.Discovery;

namespace OC.Tests.Cli;

/// <summary>What oc does with what it finds on the LAN when no appliance is named (no sockets: the look is a stand-in).</summary>
public sealed class ServerChoiceDiscoveryTests
{
    private static readonly DiscoveredAppliance Office = new("office", "pi.local", IPAddress.Parse("192.0.2.20"), 6677, 1, "aa", 6678);
    private static readonly DiscoveredAppliance Lab = new("lab", "lab.local", IPAddress.Parse("192.0.2.30"), 7000, 1, "bb", null);

    private readonly List<string> _notes = [];
    private int _looks;

    private LanDiscovery Lan(IReadOnlyList<DiscoveredAppliance> found, Func<IReadOnlyList<DiscoveredAppliance>, DiscoveredAppliance>? ask = null) =>
        new(_ =>
        {
            _looks++;
            return Task.FromResult(found);
        }, ask, _notes.Add);

    [Fact]
    public async Task A_named_or_remembered_appliance_is_used_without_looking_on_the_LAN()
    {
        Assert.Equal(new ServerAddress("a", 1), await ServerChoice.ResolveAsync("a:1", null, () => null, Lan([Office]), default));
        Assert.Equal(new ServerAddress("c", 3), await ServerChoice.ResolveAsync(null, null, () => new ServerAddress("c", 3), Lan([Office]), default));
        Assert.Equal(0, _looks);
    }

    [Fact]
    public async Task Exactly_one_appliance_on_the_LAN_is_used_and_said_so_once()
    {
        var chosen = await ServerChoice.ResolveAsync(null, null, () => null, Lan([Office]), default);
        Assert.Equal(new ServerAddress("192.0.2.20", 6677), chosen);
        Assert.Equal(["oc: using appliance office at 192.0.2.20:6677 (found on the LAN)"], _notes);
    }

    [Fact]
    public async Task None_on_the_LAN_is_a_usage_error_that_says_how_to_name_one()
    {
        var e = await Assert.ThrowsAsync<CliException>(() => ServerChoice.ResolveAsync(null, null, () => null, Lan([]), default));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal("no appliance given and none found on the LAN (mDNS _oc._tcp, 1 s); use --server HOST[:PORT] or set OC_SERVER", e.Message);
    }

    [Fact]
    public async Task Several_without_a_terminal_are_an_error_that_lists_them()
    {
        var e = await Assert.ThrowsAsync<CliException>(() => ServerChoice.ResolveAsync(null, null, () => null, Lan([Lab, Office]), default));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal("2 appliances found on the LAN: lab (192.0.2.30:7000), office (192.0.2.20:6677); choose one with --server HOST[:PORT] or set OC_SERVER", e.Message);
    }

    [Fact]
    public async Task Several_on_a_terminal_are_offered_as_a_numbered_list()
    {
        using var error = new StringWriter();
        var environment = new OC.CliClient.Terminal.CliEnvironment(_ => null, () => new StringReader("2\n"), TextWriter.Null, error, true, "/nonexistent");
        var chosen = await ServerChoice.ResolveAsync(null, null, () => null,
            Lan([Lab, Office], found => OC.CliClient.Terminal.ApplianceMenu.Ask(environment, found)), default);

        Assert.Equal(Office.Server, chosen);
        Assert.Contains("  1) lab     192.0.2.30:7000", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("  2) office  192.0.2.20:6677", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Which one (1-2)? ", error.ToString(), StringComparison.Ordinal);

        var wrong = new OC.CliClient.Terminal.CliEnvironment(_ => null, () => new StringReader("7\n"), TextWriter.Null, TextWriter.Null, true, "/nonexistent");
        var e = await Assert.ThrowsAsync<CliException>(() => ServerChoice.ResolveAsync(null, null, () => null,
            Lan([Lab, Office], found => OC.CliClient.Terminal.ApplianceMenu.Ask(wrong, found)), default));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }
}
