using System.Globalization;
using OC.CliClient.Config;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary>
/// A connection to the appliance with the <c>--timeout</c> applied to connecting and to every
/// call, so a silent appliance ends the command with a clear message instead of hanging.
/// </summary>
internal sealed class ApplianceLink : IAsyncDisposable
{
    private readonly OcConnection _connection;
    private readonly TimeSpan _timeout;

    private ApplianceLink(OcConnection connection, ServerAddress server, TimeSpan timeout)
    {
        _connection = connection;
        Server = server;
        _timeout = timeout;
    }

    public ServerAddress Server { get; }

    /// <summary>The connection itself, for what has no deadline: reading events, a SEND that waits for the disk.</summary>
    public OcConnection Connection => _connection;

    public static async Task<ApplianceLink> ConnectAsync(ServerAddress server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var connection = await OcConnection.ConnectAsync(server.Host, server.Port, "oc " + CliVersion.Text, deadline.Token).ConfigureAwait(false);
            return new ApplianceLink(connection, server, timeout);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"cannot connect to {server}: no answer within {Seconds(timeout)} s", new TimeoutException());
        }
    }

    public async Task<T> CallAsync<T>(Func<OcConnection, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            return await call(_connection, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"the appliance at {Server} did not answer within {Seconds(_timeout)} s", new TimeoutException());
        }
    }

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
