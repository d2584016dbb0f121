using System.Numerics;
using OC.Appliance.Sessions;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;

namespace OC.Appliance.Chat;

/// <summary>
/// SEND: staged in the log by the message worker, answered SENT after the group's fsync, then
/// pushed to the live sessions of both parties. Pooled by <see cref="MessagesHandler"/>, each with a
/// text array of its own that only ever grows, so relaying a message allocates nothing on the loop
/// (renting from ArrayPool.Shared did: it keeps a few dozen arrays a size, and thousands of messages
/// are in flight at 100 pairs).
/// </summary>
internal sealed class SendJob(MessagesHandler handler) : RequestJob<MessageLog>
{
    private readonly byte[] _id = new byte[16];
    private byte[] _text = [];
    private int _textLength;

    public int From { get; private set; }
    public int To { get; private set; }
    public AppendResult Result { get; private set; }

    public ReadOnlySpan<byte> Id => _id;
    public ReadOnlySpan<byte> Text => _text.AsSpan(0, _textLength);

    // The recipient gets the message even if the sender's connection closed after sending it.
    protected override bool ActsWhenClosed => true;

    public void Set(ClientSession session, uint requestId, int from, int to, ReadOnlySpan<byte> id, ReadOnlySpan<byte> text)
    {
        Bind(session, requestId);
        From = from;
        To = to;
        id.CopyTo(_id);
        if (_text.Length < text.Length) _text = new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)text.Length))];
        text.CopyTo(_text);
        _textLength = text.Length;
    }

    /// <summary>Back to the pool: drops references so a closed session is not kept alive.</summary>
    public void Reset() => Unbind();

    internal override void Execute(MessageLog log) => Result = log.Append(From, To, _id, Text, log.GroupTimeMs);

    protected override void OnCompleted() => handler.OnSent(this);

    protected override void OnFinished() => handler.Recycle(this);
}

/// <summary>SYNC: one page of the user's messages after a seq, encoded as MESSAGE events on the worker.</summary>
internal sealed class SyncJob(MessagesHandler handler, ClientSession session, uint requestId, int user, ulong afterSeq, bool peek = false)
    : RequestJob<MessageLog>(session, requestId)
{
    public SyncPage Page { get; } = new(user, afterSeq);

    /// <summary>SYNC with the peek flag: the page only; the session does not go live.</summary>
    public bool Peek { get; } = peek;
    public bool More { get; private set; }

    internal override void Execute(MessageLog log)
    {
        Page.Clear();
        var page = Page;
        More = log.ReadForUser(user, afterSeq, ref page);
    }

    protected override void OnCompleted() => handler.OnSyncRead(this);

    protected override void OnFinished() => Page.Frames.Release();
}

/// <summary>HISTORY: one page of a conversation, encoded as a HISTORY_PAGE frame on the worker.</summary>
internal sealed class HistoryJob(ClientSession session, uint requestId, int user, int peer, ulong beforeSeq, int limit)
    : RequestJob<MessageLog>(session, requestId)
{
    private readonly ByteBuffer _frame = new();

    internal override void Execute(MessageLog log)
    {
        _frame.Consume(_frame.Length);
        var page = log.Conversation(user, peer, beforeSeq, limit);
        var writer = new HistoryPageWriter(_frame, RequestId, page.More, page.Count);
        page.Read(ref writer);
        writer.End();
    }

    protected override void OnCompleted()
    {
        Session.Connection.Output.Write(_frame.Span);
        Session.Connection.Commit();
    }

    protected override void OnFinished() => _frame.Release();
}
