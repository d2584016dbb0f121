using OC.Appliance.Diagnostics;
using OC.Appliance.Limits;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Messages;
using OC.Protocol;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Rooms;

/// <summary>
/// Room messages: ROOM_SEND, ROOM_HISTORY, the ROOM_MESSAGE events, and the stream entries of
/// membership changes and files (docs/protocol.md, "Room messages"). A room's stream lives in the
/// message log with the 1:1 messages (one seq counter, one group commit, one cursor per device);
/// who may read it is the log's <see cref="RoomSpans"/>. A message is stored once and copied to the
/// members' live sessions here (fan-out on delivery). Loop thread only.
/// </summary>
internal sealed class RoomMessagesHandler(MessageWorker worker, StorageWorker storage, PresenceRegistry presence, RateLimits limits)
{
    private readonly Stack<RoomSendJob> _sendJobs = new();
    private readonly ByteBuffer _eventScratch = new();
    private readonly List<RoomEntryJob> _retry = [];
    private TaskCompletionSource _reconciled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnSend(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!RoomSend.TryRead(payload, out uint roomId, out var id, out var text))
        {
            Replies.Malformed(session, requestId, "ROOM_SEND");
            return;
        }
        if (!RoomsHandler.TryCheckRoom(session, requestId, roomId)) return;
        if (!Replies.WithinRate(session, requestId, limits, RateKind.Message)) return;
        if (TextRules.IsBlankUtf8(text))
        {
            Replies.Error(session, requestId, ErrorCode.InvalidArgument, TextRules.EmptyMessage);
            return;
        }
        // Membership is checked by the log when the message's turn comes (RoomSpans), not here:
        // a change of membership queued before it must count.
        var job = _sendJobs.Count > 0 ? _sendJobs.Pop() : new RoomSendJob(this);
        job.Set(session, requestId, session.UserNumber, (int)roomId, id, text);
        worker.Post(job);
    }

    /// <summary>On disk: SENT to the sender, ROOM_MESSAGE to every live session of the members it went to.</summary>
    internal void OnSent(RoomSendJob job)
    {
        var session = job.Session;
        if (job.Result is not { } result)
        {
            if (!session.IsClosed) Replies.Error(session, job.RequestId, ErrorCode.NotRoomMember, $"you are not a member of room #{job.RoomId}");
            return;
        }
        if (!session.IsClosed)
        {
            Sent.Write(session.Connection.Output, job.RequestId, new Sent(result.Seq, result.TimeMs));
            session.Connection.Commit();
        }
        if (result.Duplicate) return;
        _eventScratch.Consume(_eventScratch.Length);
        RoomMessage.Write(_eventScratch, result.Seq, result.TimeMs, (uint)job.RoomId, (uint)job.From, RoomMessageKind.Text, 0, job.Id, job.Text);
        foreach (int member in job.Members) presence.PushToLive(member, _eventScratch.Span, except: session);
    }

    internal void Recycle(RoomSendJob job)
    {
        job.Reset();
        _sendJobs.Push(job);
    }

    public void OnHistory(ClientSession session, uint requestId, ReadOnlySpan<byte> payload)
    {
        if (!RoomHistoryRequest.TryRead(payload, out var request))
        {
            Replies.Malformed(session, requestId, "ROOM_HISTORY");
            return;
        }
        if (!RoomsHandler.TryCheckRoom(session, requestId, request.RoomId)) return;
        if (!Replies.WithinRate(session, requestId, limits, RateKind.History)) return;
        if (!Replies.RequireHistoryLimit(session, requestId, request.Limit)) return;
        worker.Post(new RoomHistoryJob(session, requestId, session.UserNumber, (int)request.RoomId, request.BeforeSeq, request.Limit));
    }

    /// <summary>
    /// Adds a committed change (or a file) to the room's stream; <paramref name="then"/> runs on the
    /// loop once the entry is on disk and pushed. If the log cannot take it (a full disk), it is
    /// tried again by <see cref="RetryFailed"/> until it can: the spans must follow the database.
    /// </summary>
    public void Append(RoomMessageKind kind, int roomId, int actor, int subject, string text, Action<RoomEntryJob>? then = null, ulong fileId = 0) =>
        worker.Post(new RoomEntryJob(kind, roomId, actor, subject, text, job => OnAppended(job, then), fileId));

    /// <summary>Posts the entries that failed again (a loop timer calls this).</summary>
    public void RetryFailed()
    {
        if (_retry.Count == 0) return;
        var failed = _retry.ToArray();
        _retry.Clear();
        foreach (var job in failed)
        {
            job.Error = null;
            worker.Post(job);
        }
    }

    /// <summary>Entries waiting to be tried again (for the status and tests).</summary>
    public int FailedEntries => _retry.Count;

    /// <summary>
    /// At start: where the account database and the log disagree on a room's members (the
    /// appliance stopped between a change's commit and its entry), the log gets the missing
    /// Joined or Left entry. Three steps, each on its own worker; the last appends only what is
    /// still missing when its turn comes, so changes made meanwhile are not entered twice.
    /// </summary>
    /// <remarks>Also after the administrator deleted an account: it left its rooms in the database.</remarks>
    public void Reconcile()
    {
        var run = _reconciled.Task.IsCompleted ? _reconciled = new(TaskCreationOptions.RunContinuationsAsynchronously) : _reconciled;
        worker.Post(new RoomSpansSnapshotJob(inLog => storage.Post(new RoomMembersDiffJob(inLog, d => AddMissing(d, run), e => run.TrySetException(e))),
            e => run.TrySetException(e)));
    }

    private void AddMissing(List<(int Room, int Member, string Nick, bool Joined)> differences, TaskCompletionSource run)
    {
        int pending = differences.Count;
        if (pending == 0) run.TrySetResult();
        foreach (var (room, member, nick, joined) in differences)
        {
            var kind = joined ? RoomMessageKind.Joined : RoomMessageKind.Left;
            Log.Warn("rooms.reconcile", $"room {room}: {member} is {(joined ? "" : "not ")}a member in the account database but not in the message log; adding the {kind} entry");
            worker.Post(new RoomEntryJob(kind, room, member, member, nick, job => OnAppended(job, _ =>
            {
                if (--pending == 0) run.TrySetResult();
            }), onlyIfNeeded: true));
        }
    }

    /// <summary>Done when the latest reconciliation has added what was missing (for tests; it never fails the appliance).</summary>
    public Task Reconciled => _reconciled.Task;

    private void OnAppended(RoomEntryJob job, Action<RoomEntryJob>? then)
    {
        if (job.Error is WorkerStoppedException)
        {
            // Shutting down: the start-up reconciliation adds it next time.
            Log.Warn("rooms.entry_deferred", $"room {job.RoomId}: the {job.Kind} entry of {job.Subject} is added at the next start");
            return;
        }
        if (job.Error is not null)
        {
            Log.Error("rooms.entry_failed", $"room {job.RoomId}: the {job.Kind} entry of {job.Subject} could not be stored ({job.Error.Message}); trying again");
            _retry.Add(job);
            return;
        }
        if (job.Result is { } result)
        {
            _eventScratch.Consume(_eventScratch.Length);
            RoomMessage.Write(_eventScratch, result.Seq, result.TimeMs, (uint)job.RoomId, (uint)job.Actor, job.Kind, (uint)job.Subject,
                job.Kind == RoomMessageKind.File ? FileIdBytes(job.FileId) : [], job.Text);
            // Every live session of everyone whose span holds it, the one who asked included: a
            // change's reply carries no seq, the entry does.
            foreach (int member in job.Members) presence.PushToLive(member, _eventScratch.Span);
        }
        then?.Invoke(job);
    }

    private static byte[] FileIdBytes(ulong fileId)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, fileId);
        return bytes;
    }
}
