namespace OC.CliClient.Config;

/// <summary>
/// Which appliance a command talks to: <c>--server</c>, then <c>OC_SERVER</c>, then the one used
/// last (remembered in the config folder). LAN discovery will come after these.
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

    /// <summary>Applies the precedence; with no appliance at all, a usage error that says how to name one.</summary>
    public static ServerAddress Resolve(string? option, string? variable, Func<ServerAddress?> remembered)
    {
        ArgumentNullException.ThrowIfNull(remembered);
        return Explicit(option, variable)
            ?? remembered()
            ?? throw CliException.Usage($"no appliance given: use --server HOST[:PORT] or set {Variable}");
    }
}
