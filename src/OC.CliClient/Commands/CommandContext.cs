using System.CommandLine;
using OC.CliClient.Config;
using OC.CliClient.Terminal;

namespace OC.CliClient.Commands;

/// <summary>What a running command needs besides its own options: output, config folder, the appliance to use.</summary>
internal sealed class CommandContext
{
    private readonly string? _serverOption;

    public CommandContext(ParseResult parse, GlobalOptions global, CliEnvironment environment)
    {
        Environment = environment;
        Output = new Output(environment.Out, parse.GetValue(global.Json));
        Timeout = TimeSpan.FromSeconds(parse.GetValue(global.Timeout));
        Config = ConfigFolder.Locate(environment.GetVariable, environment.HomeFolder);
        Sessions = new SessionStore(Config);
        _serverOption = parse.GetValue(global.Server);
    }

    public CliEnvironment Environment { get; }
    public Output Output { get; }
    public TimeSpan Timeout { get; }
    public ConfigFolder Config { get; }
    public SessionStore Sessions { get; }

    /// <summary>The appliance named by <c>--server</c> or <c>OC_SERVER</c>, if either is given.</summary>
    public ServerAddress? ExplicitServer() =>
        ServerChoice.Explicit(_serverOption, Environment.GetVariable(ServerChoice.Variable));

    /// <summary><c>--server</c>, then <c>OC_SERVER</c>, then the appliance used last.</summary>
    public ServerAddress ResolveServer() =>
        ServerChoice.Resolve(_serverOption, Environment.GetVariable(ServerChoice.Variable), Config.ReadLastServer);

    /// <summary>
    /// The saved session, and the appliance it belongs to. A session is only valid on the appliance
    /// that issued it, so <c>--server</c> or <c>OC_SERVER</c> naming another one is an error.
    /// </summary>
    public (Session Session, ServerAddress Server) RequireSession()
    {
        var session = Sessions.Load() ?? throw new CliException("not logged in; run oc login NUMBER");
        ServerAddress.TryParse(session.Server, out var server, out _); // Checked by Load.
        if (ExplicitServer() is { } other && !other.SameAs(server))
        {
            throw new CliException($"not logged in to {other} (the saved session is for {server})");
        }

        return (session, server);
    }
}
