using System.Globalization;
using OC.CliClient.Config;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary>
/// A connection to the appliance with the <c>--timeout</c> applied to connecting and to every
/// call, so a silent appliance ends the command with a clear message instead of hanging. A rate
/// limit is waited out (<see cref="RateLimitWaits"/>), outside the timeout: each try has its own.
/// </summary>
internal sealed class ApplianceLink : IAsyncDisposable
{
    private readonly OcConnection _connection;
    private readonly TimeSpan _timeout;
    private readonly RateLimitWaits _waits;

    private ApplianceLink(OcConnection connection, ServerAddress server, TimeSpan timeout, RateLimitWaits waits)
    {
        _connection = connection;
        Server = server;
        _timeout = timeout;
        _waits = waits;
    }

    public ServerAddress Server { get; }

    // Encrypted but not yet authenticated: trust on first use (issue 12, item 2) replaces this.
    private static readonly OcTransport InterimTransport = OcTransport.InsecureAnyCertificate;

    /// <summary>The connection itself, for what has no deadline: reading events, a SEND that waits for the disk.</summary>
    public OcConnection Connection => _connection;

    public static Task<ApplianceLink> ConnectAsync(ServerAddress server, TimeSpan timeout, RateLimitWaits waits, CancellationToken cancellationToken) =>
        waits.RunAsync(async token =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            deadline.CancelAfter(timeout);
            try
            {
                var connection = await OcConnection.ConnectAsync(server.Host, server.Port, "oc " + CliVersion.Text, InterimTransport, deadline.Token).ConfigureAwait(false);
                return new ApplianceLink(connection, server, timeout, waits);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new CliException($"cannot connect to {server}: no answer within {Seconds(timeout)} s", new TimeoutException());
            }
        }, cancellationToken);

    /// <summary>One request (or a few) within <c>--timeout</c>; waits out a rate limit and tries again.</summary>
    public Task<T> CallAsync<T>(Func<OcConnection, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _waits.RunAsync(async token =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            deadline.CancelAfter(_timeout);
            try
            {
                return await call(_connection, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new CliException($"the appliance at {Server} did not answer within {Seconds(_timeout)} s", new TimeoutException());
            }
        }, cancellationToken);

    /// <summary>
    /// What has no deadline (a SEND that waits for the disk, a whole upload), with rate limits
    /// waited out as for <see cref="CallAsync{T}"/>.
    /// </summary>
    public Task<T> UnhurriedAsync<T>(Func<OcConnection, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _waits.RunAsync(token => call(_connection, token), cancellationToken);

    public Task CallAsync(Func<OcConnection, CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync(async (connection, token) =>
        {
            await call(connection, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// True for a failure that a new connection may cure: the network, a silent or restarting
    /// appliance. Not a session the appliance ended (revoked, logged out everywhere, the password
    /// changed): reconnecting would only be refused.
    /// </summary>
    public static bool IsTransient(Exception e) =>
        (e is OcConnectionException && e.InnerException is not OcErrorException { Code: OC.Protocol.Framing.ErrorCode.SessionEnded })
        || e is System.Net.Sockets.SocketException or CliException { InnerException: TimeoutException }
        || (e is OcErrorException error && error.Code is OC.Protocol.Framing.ErrorCode.ShuttingDown or OC.Protocol.Framing.ErrorCode.IdleTimeout);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
