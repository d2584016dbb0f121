using System.Numerics;

namespace OC.Protocol.Framing;

/// <summary>
/// The arrays of 64 KiB and more behind <see cref="ByteBuffer"/>: kept for reuse while they are
/// being reused, given back to the GC once they are not.
/// </summary>
/// <remarks>
/// <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps up to 8 arrays of each size per core and
/// trims them only from a gen-2 collection, which a quiet appliance (its hot path allocates
/// nothing) may not see for hours: after 100 logged-in peers had each held a 1 MiB partial frame,
/// about 90 MB stayed in the pool for good (docs/performance.md, "soak"). Here at most
/// <see cref="MaxKeptBytes"/> are kept, and <see cref="Trim"/> (the appliance calls it every
/// 10 s) drops every array that was not handed out since the call before, so an array left over
/// from a burst is let go within two periods. Thread-safe: the loop and the storage workers share it.
/// </remarks>
public static class LargeArrays
{
    /// <summary>Arrays this long or longer come from here; shorter ones from ArrayPool.Shared.</summary>
    public const int Threshold = 64 * 1024;

    /// <summary>What is kept for reuse at most (a few uploads' worth of 1 MiB chunks).</summary>
    public const long MaxKeptBytes = 16L * 1024 * 1024;

    private static readonly Lock Gate = new();
    private static readonly List<Entry> Kept = [];
    private static long _keptBytes;
    private static long _letGoBytes;

    /// <summary>Bytes kept for reuse now.</summary>
    public static long KeptBytes
    {
        get
        {
            lock (Gate) return _keptBytes;
        }
    }

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes (a power of two), reused if one is kept.</summary>
    public static byte[] Rent(int minimumLength)
    {
        int length = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, Threshold)), Array.MaxLength);
        lock (Gate)
        {
            // Few entries (16 MiB / 64 KiB at most): a scan for the exact size is cheap.
            for (int i = Kept.Count - 1; i >= 0; i--)
            {
                if (Kept[i].Array.Length != length) continue;
                var array = Kept[i].Array;
                Kept.RemoveAt(i);
                _keptBytes -= array.Length;
                return array;
            }
        }

        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Keeps <paramref name="array"/> for reuse, or lets the GC have it when enough are kept.</summary>
    public static void Return(byte[] array)
    {
        lock (Gate)
        {
            if (_keptBytes + array.Length <= MaxKeptBytes)
            {
                Kept.Add(new Entry(array, Fresh: true));
                _keptBytes += array.Length;
            }
            else
            {
                _letGoBytes += array.Length;
            }
        }
    }

    /// <summary>
    /// Lets go of every kept array not handed out or given back since the last call; returns the
    /// bytes let go since then (these and those <see cref="Return"/> did not keep), which the
    /// appliance uses to decide whether a collection would give memory back.
    /// </summary>
    public static long Trim()
    {
        lock (Gate)
        {
            for (int i = Kept.Count - 1; i >= 0; i--)
            {
                if (Kept[i].Fresh)
                {
                    Kept[i] = Kept[i] with { Fresh = false };
                    continue;
                }

                _letGoBytes += Kept[i].Array.Length;
                _keptBytes -= Kept[i].Array.Length;
                Kept.RemoveAt(i);
            }

            long letGo = _letGoBytes;
            _letGoBytes = 0;
            return letGo;
        }
    }

    private readonly record struct Entry(byte[] Array, bool Fresh);
}
