using System.CommandLine;
using OC.CliClient.Config;
using OC.CliClient.Discovery;
using OC.CliClient.Terminal;
using OC.CliClient.Trust;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Security;

namespace OC.CliClient.Commands;

/// <summary>What a running command needs besides its own options: output, config folder, the appliance to use.</summary>
internal sealed class CommandContext
{
    private readonly string? _serverOption;
    private Task<IReadOnlyList<DiscoveredAppliance>>? _lan;

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
        Fingerprints.TryParse(parse.GetValue(global.Trust), out var trustFingerprint); // Checked when parsing.
        Trust = new ApplianceTrust(
            new TrustStore(Config),
            new TrustOptions(trustFingerprint, parse.GetValue(global.TrustFirstUse), environment.InputIsTerminal),
            parse.GetValue(global.Insecure),
            environment,
            LookOnLanAsync,
            TimeProvider.System);
    }

    /// <summary>Decides about every appliance's certificate for this command (trust on first use).</summary>
    public ApplianceTrust Trust { get; }

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
                LookOnLanAsync,
                Environment.InputIsTerminal ? found => ApplianceMenu.Ask(Environment, found) : null,
                note =>
                {
                    Environment.Error.WriteLine(note);
                    Environment.Error.Flush();
                }),
            cancellationToken);

    /// <summary>
    /// Connects to <paramref name="server"/> as the user trusts it (<see cref="ApplianceTrust"/>):
    /// every connection of every command comes through here.
    /// </summary>
    public Task<ApplianceLink> ConnectAsync(ServerAddress server, CancellationToken cancellationToken) =>
        Trust.ConnectAsync(
            server,
            (transport, token) => ApplianceLink.ConnectAsync(server, transport, Timeout, RateLimitWaits, token),
            cancellationToken);

    /// <summary>
    /// For a command that reads a password on the terminal before it connects (so that the
    /// appliance's login deadline does not run while a person types): when the appliance may be
    /// new, asks about its certificate first, as SSH asks before the password prompt.
    /// </summary>
    public async Task SettleTrustAsync(ServerAddress server, CancellationToken cancellationToken)
    {
        if (!Trust.MayAsk(server)) return;
        var link = await ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await link.DisposeAsync().ConfigureAwait(false);
    }

    // One look on the LAN per command at most: choosing an appliance and the question about its
    // certificate (which shows the fingerprint the LAN announces) share it.
    private Task<IReadOnlyList<DiscoveredAppliance>> LookOnLanAsync(CancellationToken cancellationToken) =>
        _lan ??= Environment.Discover(LanBrowser.DefaultListen, cancellationToken);

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
        var link = await ConnectAsync(server, cancellationToken).ConfigureAwait(false);
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
