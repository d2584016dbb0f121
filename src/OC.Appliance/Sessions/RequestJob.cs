using OC.Appliance.Diagnostics;
using OC.Appliance.Storage;
using OC.Protocol.Framing;

namespace OC.Appliance.Sessions;

/// <summary>
/// A worker job on behalf of one request, for any store: it counts itself in flight on its session
/// while queued (<see cref="ClientSession.RequestPosted"/>: back-pressure), and when it comes back
/// either answers STORAGE_FAILURE for a failed job or hands over to <see cref="OnCompleted"/>. Its
/// reply is written on the loop only after the worker's flush, so an acknowledgement always means
/// "on disk". If the client went away meanwhile the result is dropped; the work itself stands.
/// </summary>
internal abstract class RequestJob<TStore> : WorkerJob<TStore>
{
    protected RequestJob(ClientSession session, uint requestId)
    {
        Session = session;
        RequestId = requestId;
    }

    /// <summary>For pooled jobs: <see cref="Bind"/> sets the request before each post.</summary>
    protected RequestJob() => Session = null!;

    public ClientSession Session { get; private set; }

    public uint RequestId { get; private set; }

    internal sealed override void OnPosted() => Session.RequestPosted();

    internal sealed override void Complete()
    {
        try
        {
            Session.RequestFinished();
            if (Error is not null)
            {
                // Debug: the worker logged the failure already (once per group where a group failed).
                if (Log.IsEnabled(LogLevel.Debug)) Log.Debug("request.failed", $"{GetType().Name}: {Error.GetType().Name}: {Error.Message}");
                OnFailed();
                if (!Session.IsClosed) Replies.Error(Session, RequestId, ErrorCode.StorageFailure, StorageErrors.Describe(Error));
                return;
            }
            if (Session.IsClosed && !ActsWhenClosed) return;
            OnCompleted();
        }
        finally
        {
            OnFinished();
        }
    }

    /// <summary>On the loop, after the worker's flush (and only while the session is open, unless <see cref="ActsWhenClosed"/>).</summary>
    protected abstract void OnCompleted();

    /// <summary>
    /// True for a job whose outcome concerns others too (a message to push to the recipient, a
    /// file to announce): it completes even after its own connection closed, and checks
    /// <see cref="ClientSession.IsClosed"/> before it replies.
    /// </summary>
    protected virtual bool ActsWhenClosed => false;

    /// <summary>On the loop, when the job failed: undo any state set when it was posted.</summary>
    protected virtual void OnFailed() { }

    /// <summary>On the loop, last, however the job ended: give back buffers, return to a pool.</summary>
    protected virtual void OnFinished() { }

    protected void Bind(ClientSession session, uint requestId)
    {
        Session = session;
        RequestId = requestId;
    }

    /// <summary>Back to a pool: drops the session so a closed one is not kept alive.</summary>
    protected void Unbind() => Session = null!;
}
