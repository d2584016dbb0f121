using LiteDB;
using OC.Appliance.Diagnostics;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Backup;

/// <summary>
/// ADMIN_SNAPSHOT on the admin socket (docs/architecture.md, "Backups"): the snapshot points of a
/// backup taken while the appliance runs. First the message worker reads the log's committed
/// length, then the storage worker checkpoints and copies the database: each a job of its own
/// between two groups, so neither worker is held for longer than one copy of oc.db, and the loop
/// never waits. The database is cut after the log, so every message in the backup's log comes
/// from accounts that are in its database. The tool streams the rest without the appliance.
/// </summary>
internal sealed class SnapshotHandler(StorageWorker storage, MessageWorker messages)
{
    public void OnAdminSnapshot(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!EmptyFrame.TryRead(payload))
        {
            Replies.Malformed(session, requestId, "ADMIN_SNAPSHOT");
            return;
        }
        messages.Post(new MessagesPointJob(this, session, requestId));
    }

    private void OnMessagesPoint(ClientSession session, uint requestId, MessagesPoint point)
    {
        try
        {
            storage.Post(new DatabaseCopyJob(storage, session, requestId, point));
        }
        catch (InvalidOperationException)
        {
            // At shutdown the storage worker stops before the message worker's last completions.
            if (!session.IsClosed) Replies.Error(session, requestId, ErrorCode.StorageFailure, "no snapshot: the appliance is stopping");
        }
    }

    /// <summary>Reads the log's committed point; writes nothing.</summary>
    private sealed class MessagesPointJob(SnapshotHandler handler, ClientSession session, uint requestId)
        : RequestJob<MessageLog>(session, requestId)
    {
        private MessagesPoint _point;

        internal override bool Writes => false;

        internal override void Execute(MessageLog store) => _point = MessagesPoint.Of(store);

        protected override void OnCompleted() => handler.OnMessagesPoint(Session, RequestId, _point);
    }

    /// <summary>
    /// The database's checkpoint and copy, outside the group's transaction. Not a RequestJob: its
    /// failure is answered with its own reason (e.g. too little space for the copy), and a copy
    /// whose tool went away meanwhile is deleted again.
    /// </summary>
    private sealed class DatabaseCopyJob(StorageWorker storage, ClientSession session, uint requestId, MessagesPoint point)
        : WorkerJob<LiteDatabase>, IOutsideTransactionJob
    {
        private DatabaseCopy _copy;

        internal override bool Writes => false;

        internal override void OnPosted() => session.RequestPosted();

        internal override void Execute(LiteDatabase store) => _copy = storage.CopyDatabase(store);

        internal override void Complete()
        {
            session.RequestFinished();
            if (Error is not null)
            {
                if (!session.IsClosed)
                    Replies.Error(session, requestId, ErrorCode.StorageFailure, $"no snapshot: {Error.Message}");
                return;
            }
            if (session.IsClosed)
            {
                try
                {
                    storage.Post(new DeleteCopyJob(storage.DatabasePath, _copy.FileName));
                }
                catch (InvalidOperationException)
                {
                    // Stopping: the next start deletes it (StorageWorker.DeleteLeftoverSnapshots).
                }
                return;
            }
            Log.Info("backup.snapshot", $"messages up to seq {point.LastSeq} ({point.Messages} messages, {point.Bytes} bytes of the log), database copy {_copy.FileName}");
            AdminSnapshotTaken.Write(session.Connection.Output, requestId, new AdminSnapshotTaken(
                _copy.FileName, (ulong)_copy.Bytes, (ulong)point.Bytes, (ulong)point.Messages, point.LastSeq, (uint)_copy.Users, (uint)_copy.Friendships));
            session.Connection.Commit();
        }
    }

    /// <summary>The copy of a tool that went away: deleted on the storage thread (the loop does no disk work).</summary>
    private sealed class DeleteCopyJob(string databasePath, string fileName) : StorageJob, IOutsideTransactionJob
    {
        internal override bool Writes => false;

        internal override void Execute(LiteDatabase db) => File.Delete(Path.Combine(Path.GetDirectoryName(databasePath)!, fileName));

        internal override void Complete() { }
    }
}
