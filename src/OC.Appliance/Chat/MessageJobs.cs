using System.Numerics;
using OC.Appliance.Protocol;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;

namespace OC.Appliance.Chat;

/// <summary>
/// SEND: staged in the log by the message worker, answered SENT after the group's fsync, then
/// pushed to the live sessions of both parties. Pooled by <see cref="RequestRouter"/>, each with a
/// text array of its own that only ever grows, so relaying a message allocates nothing on the loop
/// (renting from ArrayPool.Shared did: it keeps a few dozen arrays a size, and thousands of messages
/// are in flight at 100 pairs).
/// </summary>
internal sealed class SendJob : MessageJob
{
    private readonly byte[] _id = new byte[16];
    private byte[] _text = [];
    private int _textLength;

    public RequestRouter Router { get; private set; } = null!;
    public ClientSession Session { get; private set; } = null!;
    public uint RequestId { get; private set; }
    public int From { get; private set; }
    public int To { get; private set; }
    public AppendResult Result { get; private set; }

    public ReadOnlySpan<byte> Id => _id;
    public ReadOnlySpan<byte> Text => _text.AsSpan(0, _textLength);

    public void Set(RequestRouter router, ClientSession session, uint requestId, int from, int to, ReadOnlySpan<byte> id, ReadOnlySpan<byte> text)
    {
        Router = router;
        Session = session;
        RequestId = requestId;
        From = from;
        To = to;
        id.CopyTo(_id);
        if (_text.Length < text.Length) _text = new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)text.Length))];
        text.CopyTo(_text);
        _textLength = text.Length;
        Error = null;
    }

    /// <summary>Back to the pool: drops references so a closed session is not kept alive.</summary>
    public void Reset()
    {
        Router = null!;
        Session = null!;
    }

    internal override void Execute(MessageLog log) => Result = log.Append(From, To, _id, Text, log.GroupTimeMs);

    internal override void Complete() => Router.OnSendCompleted(this);
}

/// <summary>SYNC: one page of the user's messages after a seq, encoded as MESSAGE events on the worker.</summary>
internal sealed class SyncJob(RequestRouter router, ClientSession session, uint requestId, int user, ulong afterSeq) : MessageJob
{
    public ByteBuffer Frames { get; } = new();
    public List<(ulong Seq, int From)> Received { get; } = [];
    public ulong LastSeq { get; private set; }
    public bool More { get; private set; }
    public ClientSession Session => session;
    public uint RequestId => requestId;

    internal override void Execute(MessageLog log) => (LastSeq, More) = log.WriteSyncPage(user, afterSeq, Frames, Received);

    internal override void Complete() => router.OnSyncCompleted(this);
}

/// <summary>HISTORY: one page of a conversation, encoded as a HISTORY_PAGE frame on the worker.</summary>
internal sealed class HistoryJob(RequestRouter router, ClientSession session, uint requestId, int user, int peer, ulong beforeSeq, int limit) : MessageJob
{
    public ByteBuffer Frame { get; } = new();
    public ClientSession Session => session;
    public uint RequestId => requestId;

    internal override void Execute(MessageLog log) => log.WriteHistoryPage(user, peer, beforeSeq, limit, requestId, Frame);

    internal override void Complete() => router.OnHistoryCompleted(this);
}
