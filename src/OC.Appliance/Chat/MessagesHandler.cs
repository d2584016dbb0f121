using OC.Appliance.Limits;
using OC.Appliance.Sessions;
using OC.Appliance.Storage.Messages;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Chat;

/// <summary>
/// 1:1 messages: SEND, SYNC, HISTORY and the MESSAGE/DELIVERED events (docs/protocol.md,
/// "Messages"). A session that finished its SYNC is live (<see cref="SessionEvents.WentLive"/>).
/// Loop thread only.
/// </summary>
internal sealed class MessagesHandler(MessageWorker worker, PresenceRegistry presence, SessionEvents sessions, RateLimits limits)
{
    private readonly Stack<SendJob> _sendJobs = new();
    private readonly ByteBuffer _eventScratch = new();

    /// <summary>Send jobs kept for reuse (the benchmark of the relay path takes and returns them).</summary>
    internal Stack<SendJob> SendJobPool => _sendJobs;

    public void OnSend(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!SendMessage.TryRead(payload, out uint to, out var id, out var text))
        {
            Replies.Malformed(session, requestId, "SEND");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (!Replies.WithinRate(session, requestId, limits, RateKind.Message)) return;
        if (TextRules.IsBlankUtf8(text))
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, TextRules.EmptyMessage);
            return;
        }
        int from = session.UserNumber;
        if (to == (uint)from)
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, "you cannot send a message to yourself");
            return;
        }
        // Only to a friend, never across a block (the one rule, in Sessions/Relations).
        if (!Relations.RequireFriend(presence, session, requestId, (int)to)) return;

        var job = _sendJobs.Count > 0 ? _sendJobs.Pop() : new SendJob(this);
        job.Set(session, requestId, from, (int)to, id, text);
        worker.Post(job);
    }

    /// <summary>The message is on disk: SENT to the sender, MESSAGE to both parties' live sessions.</summary>
    internal void OnSent(SendJob job)
    {
        var session = job.Session;
        var result = job.Result;
        if (!session.IsClosed)
        {
            Sent.Write(session.Connection.Output, job.RequestId, new Sent(result.Seq, result.TimeMs));
            session.Connection.Commit();
        }
        if (result.Duplicate) return;

        _eventScratch.Consume(_eventScratch.Length);
        ChatMessage.Write(_eventScratch, result.Seq, result.TimeMs, (uint)job.From, (uint)job.To, job.Id, job.Text);
        int reached = presence.PushToLive(job.To, _eventScratch.Span);
        presence.PushToLive(job.From, _eventScratch.Span, except: session);
        if (reached > 0) PushDelivered(job.From, result.Seq);
    }

    /// <summary>The job is done (sent or failed): back to the pool.</summary>
    internal void Recycle(SendJob job)
    {
        job.Reset();
        _sendJobs.Push(job);
    }

    public void OnSync(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!SyncRequest.TryRead(payload, out var request))
        {
            Replies.Malformed(session, requestId, "SYNC");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        // Not live while the page is read: live pushes and the page never overlap (no duplicates).
        // A peek (a one-shot command) leaves the session as it is, and never makes it live.
        if (!request.Peek) session.Live = false;
        worker.Post(new SyncJob(this, session, requestId, session.UserNumber, request.AfterSeq, request.Peek));
    }

    internal void OnSyncRead(SyncJob job)
    {
        var session = job.Session;
        session.Connection.Output.Write(job.Page.Frames.Span);
        Synced.Write(session.Connection.Output, job.RequestId, new Synced(job.Page.LastSeq, job.More));
        session.Connection.Commit();
        if (!job.More && !job.Peek && !session.Live)
        {
            session.Live = true;
            sessions.RaiseWentLive(session);
        }
        foreach (var (seq, from) in job.Page.Received) PushDelivered(from, seq);
    }

    public void OnHistory(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!HistoryRequest.TryRead(payload, out var request))
        {
            Replies.Malformed(session, requestId, "HISTORY");
            return;
        }
        if (!Replies.RequireLogin(session, requestId)) return;
        if (!Replies.WithinRate(session, requestId, limits, RateKind.History)) return;
        if (!Replies.RequireHistoryLimit(session, requestId, request.Limit)) return;
        if (!OcNumber.IsValid(request.Peer))
        {
            Replies.Error(session, requestId, ErrorCode.UnknownUser, $"{request.Peer} is not an OC number (six digits)");
            return;
        }
        // The conversation is always between the asker and the peer: no one reads another's.
        worker.Post(new HistoryJob(session, requestId, session.UserNumber, (int)request.Peer, request.BeforeSeq, request.Limit));
    }

    private void PushDelivered(int sender, ulong seq)
    {
        _eventScratch.Consume(_eventScratch.Length);
        SeqNumber.Write(_eventScratch, FrameType.Delivered, Frame.NoRequest, seq);
        presence.PushToLive(sender, _eventScratch.Span);
    }
}
