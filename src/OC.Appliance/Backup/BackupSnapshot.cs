using OC.Appliance.Admin;
using OC.Appliance.Storage;
using OC.Protocol.Client;

namespace OC.Appliance.Backup;

/// <summary>
/// The snapshot points of one backup: a private copy of the checkpointed database in the data
/// folder, the message log's committed point, and who took them. Disposing deletes the copy and
/// lets the data folder go (the workers of a backup taken with the appliance stopped).
/// </summary>
internal sealed class BackupSnapshot : IAsyncDisposable
{
    private readonly IDisposable? _holder;

    private BackupSnapshot(string source, string applianceId, string copyPath, DatabaseCopy database, MessagesPoint messages, IDisposable? holder)
    {
        Source = source;
        ApplianceId = applianceId;
        DatabaseCopyPath = copyPath;
        Database = database;
        Messages = messages;
        _holder = holder;
    }

    /// <summary>"running" (through the admin socket) or "stopped" (the tool held the data folder itself).</summary>
    public string Source { get; }

    public string ApplianceId { get; }

    public string DatabaseCopyPath { get; }

    public DatabaseCopy Database { get; }

    public MessagesPoint Messages { get; }

    /// <summary>
    /// Asks the running appliance through its admin socket; with none running, takes the data
    /// folder's lock and the same points itself (and keeps the lock until disposed, so no appliance
    /// starts while the files are read).
    /// </summary>
    /// <exception cref="AdminException">Neither way works; the message says why.</exception>
    public static async Task<BackupSnapshot> TakeAsync(string folder, CancellationToken cancellationToken)
    {
        string database = UserAdminOpener.RequireData(folder, "backup");
        if (await UserAdminOpener.TryConnectAsync(folder, "backup", cancellationToken).ConfigureAwait(false) is { } connection)
        {
            await using (connection.ConfigureAwait(false))
            {
                var taken = await OcAdmin.SnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
                // A name in the data folder, as the appliance makes them; nothing else is read or deleted.
                if (!taken.DatabaseFile.StartsWith(StorageWorker.SnapshotPrefix, StringComparison.Ordinal)
                    || !taken.DatabaseFile.EndsWith(StorageWorker.SnapshotExtension, StringComparison.Ordinal)
                    || taken.DatabaseFile.Contains('/') || taken.DatabaseFile.Contains('\\'))
                    throw new AdminException($"the appliance named an unexpected snapshot file '{taken.DatabaseFile}'");
                var copy = new DatabaseCopy(taken.DatabaseFile, (long)taken.DatabaseBytes, (int)taken.Users, (int)taken.Friendships, 0);
                var point = new MessagesPoint((long)taken.MessagesBytes, (long)taken.Messages, taken.LastSeq);
                return new BackupSnapshot("running", connection.Welcome.ApplianceId, Path.Combine(folder, taken.DatabaseFile), copy, point, holder: null);
            }
        }
        UserAdminOpener.RefuseRootOnOthersData(database, "backup");
        DirectSnapshot direct;
        try
        {
            direct = new DirectSnapshot(folder);
        }
        catch (DataFolderBusyException e)
        {
            throw new AdminException($"an appliance is using {folder}, but its admin socket does not answer (see admin.unavailable in its log); stop it and try again", e);
        }
        try
        {
            var (copy, messages) = await direct.TakeAsync(cancellationToken).ConfigureAwait(false);
            return new BackupSnapshot("stopped", direct.ApplianceId, Path.Combine(folder, copy.FileName), copy, messages, direct);
        }
        catch
        {
            direct.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            File.Delete(DatabaseCopyPath);
        }
        finally
        {
            _holder?.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
