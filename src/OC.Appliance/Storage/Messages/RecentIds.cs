using System.Buffers.Binary;
using System.Numerics;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// One sender's latest message ids (up to <see cref="Capacity"/>), to answer a resend with the
/// stored message: a ring of slots in arrival order and an open-addressed table (linear probing)
/// of ring positions, both flat arrays. A lookup hashes the id, probes a few ushorts and compares
/// the whole 16-byte id: never a match on the hash alone. Starts small and doubles, so a sender
/// of three messages costs little; full, it is 36 KiB.
/// </summary>
internal sealed class RecentIds(int sender)
{
    public const int Capacity = 1024;

    /// <summary>Memory per id held, about: a full window is 36 KiB for 1,024 ids.</summary>
    public const int BytesPerId = 36;

    private Slot[] _ring = new Slot[16];
    private ushort[] _table = new ushort[32]; // ring position + 1; 0 is empty
    private int _oldest;
    private int _count;

    public int Sender { get; } = sender;

    public int Count => _count;

    /// <summary>Links of the cache's least-recently-used list (<see cref="RecentIdCache"/>).</summary>
    internal RecentIds? Newer { get; set; }
    internal RecentIds? Older { get; set; }

    public static (ulong Low, ulong High) Key(ReadOnlySpan<byte> id) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(id), BinaryPrimitives.ReadUInt64LittleEndian(id[8..]));

    public bool TryGet(ulong low, ulong high, out ulong seq, out long timeMs)
    {
        int mask = _table.Length - 1;
        for (int i = Home(low, high, mask); ; i = (i + 1) & mask)
        {
            int at = _table[i];
            if (at == 0) break;
            ref var slot = ref _ring[at - 1];
            if (slot.Low == low && slot.High == high)
            {
                seq = slot.Seq;
                timeMs = slot.TimeMs;
                return true;
            }
        }
        seq = 0;
        timeMs = 0;
        return false;
    }

    /// <summary>Remembers an id the sender has not used within the window (the caller checked), forgetting the oldest when full.</summary>
    public void Add(ulong low, ulong high, ulong seq, long timeMs)
    {
        if (_count == _ring.Length)
        {
            if (_ring.Length < Capacity)
            {
                Grow();
            }
            else
            {
                Unlink(_oldest);
                _oldest = (_oldest + 1) & (_ring.Length - 1);
                _count--;
            }
        }
        int position = (_oldest + _count) & (_ring.Length - 1);
        _ring[position] = new Slot(low, high, seq, timeMs);
        _count++;
        Link(position);
    }

    /// <summary>Undoes the latest <see cref="Add"/> if it was this id (a rolled-back group; an id it pushed out stays out).</summary>
    public void RemoveNewest(ulong low, ulong high)
    {
        if (_count == 0) return;
        int position = (_oldest + _count - 1) & (_ring.Length - 1);
        if (_ring[position].Low != low || _ring[position].High != high) return;
        Unlink(position);
        _count--;
    }

    private static int Home(ulong low, ulong high, int mask) => (int)((low ^ BitOperations.RotateLeft(high, 29)) * 0x9E3779B97F4A7C15 >> 40) & mask;

    private void Link(int position)
    {
        int mask = _table.Length - 1;
        int i = Home(_ring[position].Low, _ring[position].High, mask);
        while (_table[i] != 0) i = (i + 1) & mask;
        _table[i] = (ushort)(position + 1);
    }

    /// <summary>Removes a ring position from the table, shifting later entries of its probe run back (no tombstones).</summary>
    private void Unlink(int position)
    {
        int mask = _table.Length - 1;
        int i = Home(_ring[position].Low, _ring[position].High, mask);
        while (_table[i] != position + 1) i = (i + 1) & mask;
        int hole = i;
        for (int j = (hole + 1) & mask; _table[j] != 0; j = (j + 1) & mask)
        {
            ref var slot = ref _ring[_table[j] - 1];
            int home = Home(slot.Low, slot.High, mask);
            // Move j into the hole unless its home lies cyclically in (hole, j].
            bool stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays) continue;
            _table[hole] = _table[j];
            hole = j;
        }
        _table[hole] = 0;
    }

    private void Grow()
    {
        var ring = new Slot[_ring.Length * 2];
        for (int i = 0; i < _count; i++) ring[i] = _ring[(_oldest + i) & (_ring.Length - 1)];
        _ring = ring;
        _oldest = 0;
        _table = new ushort[ring.Length * 2];
        for (int i = 0; i < _count; i++) Link(i);
    }

    private readonly record struct Slot(ulong Low, ulong High, ulong Seq, long TimeMs);
}
