using System.Buffers.Binary;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// A member's span of a room's stream: from their own Joined entry to their own Left or Kicked
/// entry (<see cref="LeaveSeq"/> 0: still a member). What they may read, and what reaches them.
/// </summary>
internal readonly record struct RoomSpan(int RoomId, ulong JoinSeq, ulong LeaveSeq)
{
    public bool IsMember => LeaveSeq == 0;

    public bool Holds(ulong seq) => seq >= JoinSeq && (LeaveSeq == 0 || seq <= LeaveSeq);
}

/// <summary>
/// Who may read which room, as the log says it: derived from the rooms' Joined, Left and Kicked
/// entries, in seq order, on the message worker. The membership in the account database decides
/// who may join; this decides, exactly at each seq, who is in: a ROOM_SEND is checked here when its
/// turn in the log comes, so a member kicked while their message waited in the queue cannot slip it
/// in after the kick, and a SYNC reads each room only within the asker's span. Kept with the
/// index: staged and rolled back with a group, saved in the index's checkpoint, rebuilt with it
/// from the log. One entry per user and room they ever joined (a later join replaces it).
/// </summary>
internal sealed class RoomSpans
{
    private static readonly RoomSpan[] None = [];
    private readonly Dictionary<int, List<int>> _members = [];
    private readonly Dictionary<int, RoomSpan[]> _spans = [];
    private readonly List<Undo> _undo = [];
    private long _stagedTexts;

    /// <summary>Members' messages (Text entries) in the log, committed.</summary>
    public long TextEntries { get; private set; }

    public int Rooms => _members.Count;

    /// <summary>The rooms that have members.</summary>
    public IEnumerable<int> RoomIds => _members.Keys;

    public bool IsMember(int roomId, int user) => SpanOf(user, roomId) is { IsMember: true };

    /// <summary>The room's members now (in the order they joined; empty for a room nobody is in).</summary>
    public ReadOnlySpan<int> MembersOf(int roomId) =>
        _members.TryGetValue(roomId, out var members) ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members) : [];

    public ReadOnlySpan<RoomSpan> SpansOf(int user) => _spans.TryGetValue(user, out var spans) ? spans : None;

    public RoomSpan? SpanOf(int user, int roomId)
    {
        foreach (var span in SpansOf(user))
        {
            if (span.RoomId == roomId) return span;
        }
        return null;
    }

    /// <summary>Takes one record of the log (staged until <see cref="Commit"/>); 1:1 messages change nothing.</summary>
    public void Apply(in MessageRecord record)
    {
        if (!record.IsRoom) return;
        int roomId = record.Target;
        switch (RoomRecords.KindOf(record))
        {
            case RoomMessageKind.Text:
                _stagedTexts++;
                return;
            case RoomMessageKind.Joined:
                Set(RoomRecords.Subject(record), roomId, new RoomSpan(roomId, record.Seq, 0), member: true);
                return;
            case RoomMessageKind.Left:
            case RoomMessageKind.Kicked:
                int subject = RoomRecords.Subject(record);
                if (SpanOf(subject, roomId) is { IsMember: true } span) Set(subject, roomId, span with { LeaveSeq = record.Seq }, member: false);
                return;
        }
    }

    public void Commit()
    {
        _undo.Clear();
        TextEntries += _stagedTexts;
        _stagedTexts = 0;
    }

    /// <summary>Takes the staged changes back out, newest first.</summary>
    public void Rollback()
    {
        for (int i = _undo.Count - 1; i >= 0; i--)
        {
            var (user, roomId, previous, wasMember) = _undo[i];
            Replace(user, roomId, previous);
            SetMember(roomId, user, wasMember);
        }
        _undo.Clear();
        _stagedTexts = 0;
    }

    public void Clear()
    {
        _members.Clear();
        _spans.Clear();
        _undo.Clear();
        _stagedTexts = 0;
        TextEntries = 0;
    }

    /// <summary>
    /// Appends the committed spans to a checkpoint:
    /// <code>u64 text entries, u32 users, per user: i32 number, u16 count, count × (i32 room, u64 join seq, u64 leave seq)</code>
    /// (little-endian, as the rest of the checkpoint).
    /// </summary>
    public void WriteTo(ByteBuffer buffer)
    {
        if (_undo.Count > 0) throw new InvalidOperationException("spans saved with staged changes");
        var header = buffer.GetSpan(12);
        BinaryPrimitives.WriteInt64LittleEndian(header, TextEntries);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], _spans.Count);
        buffer.Advance(12);
        foreach (var (user, spans) in _spans)
        {
            var span = buffer.GetSpan(6 + 20 * spans.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span, user);
            BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)spans.Length);
            int at = 6;
            foreach (var s in spans)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span[at..], s.RoomId);
                BinaryPrimitives.WriteUInt64LittleEndian(span[(at + 4)..], s.JoinSeq);
                BinaryPrimitives.WriteUInt64LittleEndian(span[(at + 12)..], s.LeaveSeq);
                at += 20;
            }
            buffer.Advance(at);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote at <paramref name="at"/>; null when it is cut short or points past <paramref name="lastSeq"/>.</summary>
    public string? ReadFrom(ReadOnlySpan<byte> data, ref int at, ulong lastSeq)
    {
        Clear();
        if (at + 12 > data.Length) return "its room spans are cut short";
        TextEntries = BinaryPrimitives.ReadInt64LittleEndian(data[at..]);
        int users = BinaryPrimitives.ReadInt32LittleEndian(data[(at + 8)..]);
        at += 12;
        for (int u = 0; u < users; u++)
        {
            if (at + 6 > data.Length) return "its room spans are cut short";
            int user = BinaryPrimitives.ReadInt32LittleEndian(data[at..]);
            int count = BinaryPrimitives.ReadUInt16LittleEndian(data[(at + 4)..]);
            at += 6;
            if (at + 20 * count > data.Length) return "its room spans are cut short";
            var spans = new RoomSpan[count];
            for (int i = 0; i < count; i++, at += 20)
            {
                spans[i] = new RoomSpan(BinaryPrimitives.ReadInt32LittleEndian(data[at..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(data[(at + 4)..]), BinaryPrimitives.ReadUInt64LittleEndian(data[(at + 12)..]));
                if (spans[i].JoinSeq == 0 || spans[i].JoinSeq > lastSeq || spans[i].LeaveSeq > lastSeq) return $"a room span of {user} points past the log it covers";
                if (spans[i].IsMember) SetMember(spans[i].RoomId, user, true);
            }
            _spans[user] = spans;
        }
        return null;
    }

    private void Set(int user, int roomId, RoomSpan span, bool member)
    {
        _undo.Add(new Undo(user, roomId, SpanOf(user, roomId), IsMember(roomId, user)));
        Replace(user, roomId, span);
        SetMember(roomId, user, member);
    }

    private void Replace(int user, int roomId, RoomSpan? span)
    {
        var spans = SpansOf(user);
        int index = -1;
        for (int i = 0; i < spans.Length; i++)
        {
            if (spans[i].RoomId == roomId) index = i;
        }
        RoomSpan[] next;
        if (span is null)
        {
            if (index < 0) return;
            next = [.. spans[..index], .. spans[(index + 1)..]];
        }
        else if (index >= 0)
        {
            next = spans.ToArray();
            next[index] = span.Value;
        }
        else
        {
            next = [.. spans, span.Value];
        }
        if (next.Length == 0) _spans.Remove(user);
        else _spans[user] = next;
    }

    private void SetMember(int roomId, int user, bool member)
    {
        if (!_members.TryGetValue(roomId, out var members))
        {
            if (!member) return;
            _members[roomId] = members = [];
        }
        bool present = members.Contains(user);
        if (member && !present) members.Add(user);
        else if (!member && present)
        {
            members.Remove(user);
            if (members.Count == 0) _members.Remove(roomId);
        }
    }

    private readonly record struct Undo(int User, int RoomId, RoomSpan? Previous, bool WasMember);
}
