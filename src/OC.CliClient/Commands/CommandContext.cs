using System.CommandLine;
using OC.CliClient.Config;
using OC.CliClient.Discovery;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;

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
        TimeoutGiven = parse.GetResult(global.Timeout) is { Implicit: false };
        RateLimitWaits = new RateLimitWaits(note =>
        {
            environment.Error.WriteLine("oc: " + note);
            environment.Error.Flush();
        });
    }

    /// <summary>Waits out the appliance's rate limits for every connection and call of this command.</summary>
    public RateLimitWaits RateLimitWaits { get; }

    public CliEnvironment Environment { get; }
    public Output Output { get; }
    public TimeSpan Timeout { get; }

    /// <summary>Whether <c>--timeout</c> was given (<c>oc servers</c> listens 1 s unless it was).</summary>
    public bool TimeoutGiven { get; }
    public ConfigFolder Config { get; }
    public SessionStore Sessions { get; }

    /// <summary>The appliance named by <c>--server</c> or <c>OC_SERVER</c>, if either is given.</summary>
    public ServerAddress? ExplicitServer() =>
        ServerChoice.Explicit(_serverOption, Environment.GetVariable(ServerChoice.Variable));

    /// <summary>
    /// <c>--server</c>, then <c>OC_SERVER</c>, then the appliance used last, then the one found on
    /// the LAN (asking which on a terminal when there are several). Every command that needs an
    /// appliance and has no session comes through here.
    /// </summary>
    public Task<ServerAddress> ResolveServerAsync(CancellationToken cancellationToken) =>
        ServerChoice.ResolveAsync(
            _serverOption,
            Environment.GetVariable(ServerChoice.Variable),
            Config.ReadLastServer,
            new LanDiscovery(
                token => Environment.Discover(LanBrowser.DefaultListen, token),
                Environment.InputIsTerminal ? found => ApplianceMenu.Ask(Environment, found) : null,
                note =>
                {
                    Environment.Error.WriteLine(note);
                    Environment.Error.Flush();
                }),
            cancellationToken);

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

    /// <summary>
    /// Connects to the saved session's appliance and resumes the session: what every command that
    /// needs a login starts with. A session the appliance no longer knows is deleted locally.
    /// </summary>
    public async Task<ApplianceLink> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var (session, server) = RequireSession();
        var link = await ApplianceLink.ConnectAsync(server, Timeout, RateLimitWaits, cancellationToken).ConfigureAwait(false);
        try
        {
            await link.CallAsync((connection, token) => OcAccounts.ResumeAsync(connection, session.Token, token), cancellationToken).ConfigureAwait(false);
            return link;
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.InvalidSession)
        {
            await link.DisposeAsync().ConfigureAwait(false);
            Sessions.Delete();
            throw new CliException($"session expired; run oc login {session.OcNumber:D6}", e);
        }
        catch
        {
            await link.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
