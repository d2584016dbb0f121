using System.Net.Sockets;
using OC.Appliance.Net;
using OC.Appliance.Protocol;
using OC.Appliance.Storage;
using OC.Protocol.Client;

namespace OC.Appliance.Admin;

/// <summary>
/// Finds the accounts of a data folder: the running appliance if its admin socket answers, else
/// the database itself (docs/architecture.md, "The admin socket").
/// </summary>
internal static class UserAdminOpener
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <exception cref="AdminException">Neither way works; the message says why and what to do.</exception>
    public static async Task<IUserAdmin> OpenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        string folder = Path.GetFullPath(dataDirectory);
        string database = RequireData(folder, "user");
        if (await TryConnectAsync(folder, "user", cancellationToken).ConfigureAwait(false) is { } connection)
            return new SocketUserAdmin(connection);
        RefuseRootOnOthersData(database, "user");
        try
        {
            return new DirectUserAdmin(folder);
        }
        catch (DataFolderBusyException e)
        {
            throw new AdminException($"an appliance is using {folder}, but its admin socket does not answer (see admin.unavailable in its log); stop it and try again", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AdminException($"not allowed to open the data folder {folder}: run this as the appliance's user ({e.Message})", e);
        }
    }

    /// <summary>The path of the folder's database; throws when the folder holds no appliance data or may not be read.</summary>
    internal static string RequireData(string folder, string tool)
    {
        string database = Path.Combine(folder, StorageWorker.DataFileName);
        if (!File.Exists(database))
        {
            // File.Exists says false for a file it may not see, too.
            if (Directory.Exists(folder) && !CanList(folder))
                throw new AdminException($"not allowed to read the data folder {folder}: run this as the appliance's user (e.g. sudo -u oc oc-appliance {tool} ...) or as root");
            throw new AdminException($"no appliance data in {folder} (no {StorageWorker.DataFileName} there); name the appliance's data folder with --data");
        }
        return database;
    }

    /// <summary>
    /// The running appliance's admin socket, or null when nobody listens there (no socket file, or
    /// one left by an appliance that did not stop cleanly): then the tool opens the folder itself.
    /// </summary>
    internal static async Task<OcConnection?> TryConnectAsync(string folder, string tool, CancellationToken cancellationToken)
    {
        string socket = Path.Combine(folder, AdminSocket.FileName);
        if (OperatingSystem.IsWindows() || !File.Exists(socket)) return null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConnectTimeout);
        try
        {
            return await OcConnection.ConnectUnixAsync(socket, "oc-appliance " + tool, deadline.Token).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            // A socket file without a listener: left by an appliance that did not stop cleanly.
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new AdminException($"not allowed to use {socket}: run this as the appliance's user (e.g. sudo -u oc oc-appliance {tool} ...) or as root", e);
        }
        catch (OcConnectionException e)
        {
            throw new AdminException($"the appliance's admin socket {socket} closed the connection: only the appliance's own user or root may use it", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminException($"the appliance did not answer on {socket} within {ConnectTimeout.TotalSeconds:0} s", e);
        }
    }

    /// <summary>
    /// Root writing the database of a stopped appliance that runs as its own user would leave files
    /// (LiteDB's log) that user cannot open: the appliance would not start again.
    /// </summary>
    internal static void RefuseRootOnOthersData(string database, string tool)
    {
        if (OperatingSystem.IsLinux() && PeerCredentials.CurrentUid() == 0 && FileOwner.TryGetUid(database, out uint owner) && owner != 0)
            throw new AdminException($"{database} belongs to uid {owner}, and no appliance is running: run this as that user (e.g. sudo -u oc oc-appliance {tool} ...) so that what it writes stays theirs");
    }

    private static bool CanList(string folder)
    {
        try
        {
            _ = Directory.EnumerateFileSystemEntries(folder).FirstOrDefault();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>A failure of <c>oc-appliance user</c> with a message meant for the user as it stands.</summary>
internal sealed class AdminException : Exception
{
    public AdminException() { }
    public AdminException(string message) : base(message) { }
    public AdminException(string message, Exception inner) : base(message, inner) { }
}
