using OC.CliClient.Discovery;

namespace OC.CliClient.Config;

/// <summary>How oc looks for an appliance on the LAN when nobody named one: the look itself, and what to do with several.</summary>
internal sealed record LanDiscovery(
    Func<CancellationToken, Task<IReadOnlyList<DiscoveredAppliance>>> Find,
    Func<IReadOnlyList<DiscoveredAppliance>, DiscoveredAppliance>? Ask,
    Action<string> Note);

/// <summary>
/// Which appliance a command talks to: <c>--server</c>, then <c>OC_SERVER</c>, then the one used
/// last (remembered in the config folder), then the one found on the LAN (mDNS, about a second).
/// </summary>
internal static class ServerChoice
{
    public const string Variable = "OC_SERVER";

    /// <summary>The appliance named on purpose, by <c>--server</c> or <c>OC_SERVER</c>; null if neither is given.</summary>
    public static ServerAddress? Explicit(string? option, string? variable)
    {
        if (option is not null)
        {
            return ServerAddress.TryParse(option, out var fromOption, out var error)
                ? fromOption
                : throw CliException.Usage($"--server: {error}");
        }

        if (!string.IsNullOrWhiteSpace(variable))
        {
            return ServerAddress.TryParse(variable, out var fromVariable, out var error)
                ? fromVariable
                : throw CliException.Usage($"{Variable}: {error}");
        }

        return null;
    }

    /// <summary>Applies the precedence without looking on the LAN; with no appliance at all, a usage error that says how to name one.</summary>
    public static ServerAddress Resolve(string? option, string? variable, Func<ServerAddress?> remembered)
    {
        ArgumentNullException.ThrowIfNull(remembered);
        return Explicit(option, variable)
            ?? remembered()
            ?? throw CliException.Usage($"no appliance given: use --server HOST[:PORT] or set {Variable}");
    }

    /// <summary>
    /// Applies the precedence, and when nothing names an appliance, looks on the LAN: exactly one
    /// answer is used (and said so once on stderr); several are offered as a numbered list on a
    /// terminal and are an error otherwise; none is an error that says how to name one.
    /// </summary>
    public static async Task<ServerAddress> ResolveAsync(
        string? option, string? variable, Func<ServerAddress?> remembered, LanDiscovery lan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remembered);
        ArgumentNullException.ThrowIfNull(lan);
        if ((Explicit(option, variable) ?? remembered()) is { } named) return named;

        var found = await lan.Find(cancellationToken).ConfigureAwait(false);
        switch (found.Count)
        {
            case 0:
                throw CliException.Usage(
                    $"no appliance given and none found on the LAN (mDNS {OC.Protocol.Discovery.DnsSdNames.ServiceType}, {LanBrowser.DefaultListen.TotalSeconds:0} s); "
                    + $"use --server HOST[:PORT] or set {Variable}");
            case 1:
                lan.Note($"oc: using appliance {found[0].Name} at {found[0].Server} (found on the LAN)");
                return found[0].Server;
            default:
                if (lan.Ask is { } ask) return ask(found).Server;
                throw CliException.Usage(
                    $"{found.Count} appliances found on the LAN: {string.Join(", ", found.Select(a => $"{a.Name} ({a.Server})"))}; "
                    + $"choose one with --server HOST[:PORT] or set {Variable}");
        }
    }
}
