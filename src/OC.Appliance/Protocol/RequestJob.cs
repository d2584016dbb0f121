using OC.Appliance.Diagnostics;
using OC.Appliance.Storage;
using OC.Protocol.Framing;

namespace OC.Appliance.Protocol;

/// <summary>
/// A storage job on behalf of one request: it runs on the storage worker, and its reply is written
/// on the loop only after the commit (so an acknowledgement always means "on disk"). If the
/// client went away meanwhile the result is dropped; the work itself stands.
/// </summary>
internal abstract class RequestJob(RequestRouter router, ClientSession session, uint requestId) : StorageJob
{
    protected RequestRouter Router { get; } = router;
    protected ClientSession Session { get; } = session;
    protected uint RequestId { get; } = requestId;

    internal sealed override void Complete()
    {
        Router.OnJobFinished(Session);
        if (Error is not null)
        {
            Log.Error("storage.job_failed", $"{GetType().Name}: {Error.GetType().Name}: {Error.Message}");
            OnFailed();
            if (!Session.IsClosed)
                Router.SendError(Session, RequestId, ErrorCode.StorageFailure, StorageErrors.Describe(Error));
            return;
        }
        if (Session.IsClosed) return;
        OnCommitted();
    }

    /// <summary>On the loop, after the commit; the connection is still open.</summary>
    protected abstract void OnCommitted();

    /// <summary>On the loop, when the job failed: undo any state set when it was posted.</summary>
    protected virtual void OnFailed() { }
}
