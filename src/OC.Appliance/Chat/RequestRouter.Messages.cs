using OC.Appliance.Chat;
using OC.Appliance.Storage.Messages;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Protocol;

/// <summary>1:1 messages: SEND, SYNC, HISTORY and the MESSAGE/DELIVERED events (docs/protocol.md, "Messages").</summary>
internal sealed partial class RequestRouter
{
    private readonly Stack<SendJob> _sendJobs = new();
    private readonly ByteBuffer _eventScratch = new();

    private void OnSend(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!SendMessage.TryRead(payload, out uint to, out var id, out var text))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed SEND payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        if (text.IsEmpty)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, "the message is empty");
            return;
        }
        int from = session.UserNumber;
        if (to == (uint)from)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, "you cannot send a message to yourself");
            return;
        }
        // The sender is online, so their friend list is in memory: no storage round trip.
        if (Presence.Find(from) is not { } sender || !sender.Friends.Contains((int)to))
        {
            SendError(session, requestId, ErrorCode.NotFriends, $"{to:D6} is not your friend");
            return;
        }

        var job = _sendJobs.Count > 0 ? _sendJobs.Pop() : new SendJob();
        job.Set(this, session, requestId, from, (int)to, id, text);
        PostMessage(session, job);
    }

    internal void OnSendCompleted(SendJob job)
    {
        var session = job.Session;
        try
        {
            OnJobFinished(session);
            if (job.Error is not null)
            {
                if (!session.IsClosed) SendError(session, job.RequestId, ErrorCode.StorageFailure, StorageErrors.Describe(job.Error));
                return;
            }

            var result = job.Result;
            if (!session.IsClosed)
            {
                Sent.Write(session.Connection.Output, job.RequestId, new Sent(result.Seq, result.TimeMs));
                session.Connection.Commit();
            }
            if (result.Duplicate) return;

            _eventScratch.Consume(_eventScratch.Length);
            ChatMessage.Write(_eventScratch, result.Seq, result.TimeMs, (uint)job.From, (uint)job.To, job.Id, job.Text);
            int reached = Presence.PushToLive(job.To, _eventScratch.Span);
            Presence.PushToLive(job.From, _eventScratch.Span, except: session);
            if (reached > 0) PushDelivered(job.From, result.Seq);
        }
        finally
        {
            job.Reset();
            _sendJobs.Push(job);
        }
    }

    private void OnSync(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!SeqNumber.TryRead(payload, out ulong afterSeq))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed SYNC payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        // Not live while the page is read: live pushes and the page never overlap (no duplicates).
        session.Live = false;
        PostMessage(session, new SyncJob(this, session, requestId, session.UserNumber, afterSeq));
    }

    internal void OnSyncCompleted(SyncJob job)
    {
        var session = job.Session;
        try
        {
            if (!Finished(job, session, job.RequestId)) return;
            session.Connection.Output.Write(job.Frames.Span);
            Synced.Write(session.Connection.Output, job.RequestId, new Synced(job.LastSeq, job.More));
            session.Connection.Commit();
            if (!job.More) session.Live = true;
            foreach (var (seq, from) in job.Received) PushDelivered(from, seq);
        }
        finally
        {
            job.Frames.Release();
        }
    }

    private void OnHistory(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!HistoryRequest.TryRead(payload, out var request))
        {
            Fatal(session, requestId, ErrorCode.MalformedFrame, "malformed HISTORY payload");
            return;
        }
        if (!RequireLogin(session, requestId)) return;
        if (request.Limit is 0 or > ProtocolLimits.MaxHistoryPage)
        {
            SendError(session, requestId, ErrorCode.InvalidArgument, $"the limit must be 1..{ProtocolLimits.MaxHistoryPage}");
            return;
        }
        if (request.Peer is < 100_000 or > 999_999)
        {
            SendError(session, requestId, ErrorCode.UnknownUser, $"{request.Peer} is not an OC number (six digits)");
            return;
        }
        // The conversation is always between the asker and the peer: no one reads another's.
        PostMessage(session, new HistoryJob(this, session, requestId, session.UserNumber, (int)request.Peer, request.BeforeSeq, request.Limit));
    }

    internal void OnHistoryCompleted(HistoryJob job)
    {
        var session = job.Session;
        try
        {
            if (!Finished(job, session, job.RequestId)) return;
            session.Connection.Output.Write(job.Frame.Span);
            session.Connection.Commit();
        }
        finally
        {
            job.Frame.Release();
        }
    }

    /// <summary>Ends a job's time in flight; true when its session is open and the job succeeded (else the error is sent).</summary>
    private bool Finished(MessageJob job, ClientSession session, uint requestId)
    {
        OnJobFinished(session);
        if (session.IsClosed) return false;
        if (job.Error is null) return true;
        SendError(session, requestId, ErrorCode.StorageFailure, StorageErrors.Describe(job.Error));
        return false;
    }

    private void PushDelivered(int sender, ulong seq)
    {
        _eventScratch.Consume(_eventScratch.Length);
        SeqNumber.Write(_eventScratch, FrameType.Delivered, Frame.NoRequest, seq);
        Presence.PushToLive(sender, _eventScratch.Span);
    }

    private void PostMessage(ClientSession session, MessageJob job)
    {
        session.InFlight++;
        if (session.InFlight >= _limits.MaxInFlight) session.Connection.PauseReading();
        _messages.Post(job);
    }
}
