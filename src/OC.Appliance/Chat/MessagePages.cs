using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Chat;

/// <summary>
/// A SYNC page as the log hands it over: MESSAGE events written straight into one buffer on the
/// message worker (docs/protocol.md, "SYNC"), up to <see cref="MaxMessages"/> or
/// <see cref="MaxBytes"/>. The log only reads records; the wire format is written here.
/// </summary>
internal sealed class SyncPage(int user, ulong afterSeq) : IMessageSink
{
    private readonly ulong _afterSeq = afterSeq;
    public const int MaxMessages = 1000;
    public const int MaxBytes = 256 * 1024;

    private int _count;

    public ByteBuffer Frames { get; } = new();

    /// <summary>(seq, sender) of each message the user received, for DELIVERED receipts.</summary>
    public List<(ulong Seq, int From)> Received { get; } = [];

    /// <summary>The last seq in the page (the SYNC's own seq when empty).</summary>
    public ulong LastSeq { get; private set; } = afterSeq;

    public void Clear()
    {
        Frames.Consume(Frames.Length);
        Received.Clear();
        LastSeq = _afterSeq;
        _count = 0;
    }

    public bool Accept(in MessageRecord r)
    {
        if (_count == MaxMessages || Frames.Length >= MaxBytes) return false;
        if (r.IsRoom)
        {
            RoomMessage.Write(Frames, r.Seq, r.TimeMs, (uint)r.Target, (uint)r.From, RoomRecords.KindOf(r), (uint)RoomRecords.Subject(r),
                RoomRecords.WireId(r), r.Text);
        }
        else
        {
            ChatMessage.Write(Frames, r.Seq, r.TimeMs, (uint)r.From, (uint)r.To, r.Id, r.Text);
            if (r.To == user && r.From != user) Received.Add((r.Seq, r.From));
        }
        LastSeq = r.Seq;
        _count++;
        return true;
    }
}

/// <summary>One HISTORY_PAGE frame (docs/protocol.md, "HISTORY") written as the log hands the page over.</summary>
internal ref struct HistoryPageWriter : IMessageSink
{
    private FrameWriter _writer;

    public HistoryPageWriter(ByteBuffer output, uint requestId, bool more, int count) =>
        _writer = HistoryPage.Begin(output, requestId, more, count);

    public bool Accept(in MessageRecord r)
    {
        HistoryPage.WriteEntry(ref _writer, r.Seq, r.TimeMs, (uint)r.From, (uint)r.To, r.Id, r.Text);
        return true;
    }

    public void End() => _writer.End();
}
