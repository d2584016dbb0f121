using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Rooms;

/// <summary>One ROOM_HISTORY_PAGE frame (docs/protocol.md, "Room messages") written as the log hands the page over.</summary>
internal ref struct RoomHistoryPageWriter : IMessageSink
{
    private FrameWriter _writer;

    public RoomHistoryPageWriter(ByteBuffer output, uint requestId, uint roomId, bool more, int count) =>
        _writer = RoomHistoryPage.Begin(output, requestId, roomId, more, count);

    public bool Accept(in MessageRecord r)
    {
        RoomHistoryPage.WriteEntry(ref _writer, r.Seq, r.TimeMs, (uint)r.Target, (uint)r.From, RoomRecords.KindOf(r), (uint)RoomRecords.Subject(r),
            RoomRecords.WireId(r), r.Text);
        return true;
    }

    public void End() => _writer.End();
}
