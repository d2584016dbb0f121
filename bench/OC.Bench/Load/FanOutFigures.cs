namespace OC.Bench.Load;

/// <summary>
/// Which receipt of a fanned-out message is its last: each of <see cref="Receivers"/> receivers
/// reports every message it gets (by the sender's counter), from its own task, and exactly one of
/// those calls per message, the last, answers true. `room` measures send → last member's receipt
/// with it, for the appliance and for Redis alike.
/// </summary>
/// <remarks>
/// A ring of counts indexed by the counter's low bits, reset by the last receipt: a slot is reused
/// only by the message <see cref="Slots"/> later, so a receiver may lag the sender by up to that
/// many messages (minutes of traffic at any rate seen here). No lock; one interlocked increment
/// per delivery.
/// </remarks>
internal sealed class LastReceiptTracker
{
    public const int Slots = 1 << 22;

    private readonly int[] _counts = new int[Slots];

    public LastReceiptTracker(int receivers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(receivers, 1);
        Receivers = receivers;
    }

    public int Receivers { get; }

    /// <summary>Counts one receipt of message <paramref name="counter"/>; true when it was the last receiver's.</summary>
    public bool OnReceipt(ulong counter)
    {
        // The top bit (the sender's "last message" flag) is not part of the counter; Slots is far below it.
        ref int count = ref _counts[(int)(counter & (Slots - 1))];
        if (Interlocked.Increment(ref count) != Receivers) return false;
        Volatile.Write(ref count, 0);
        return true;
    }
}

/// <summary>The arithmetic of issue 14's room targets, apart so it is tested without sockets.</summary>
internal static class FanOutFigures
{
    /// <summary>Issue 14: the room's deliveries per second at least half of Redis pub/sub's.</summary>
    public const double TargetRatio = 0.5;

    /// <summary>OC deliveries/s ÷ Redis deliveries/s; NaN when Redis delivered nothing (or did not run).</summary>
    public static double Ratio(double ocPerSecond, double redisPerSecond) =>
        redisPerSecond > 0 && ocPerSecond >= 0 ? ocPerSecond / redisPerSecond : double.NaN;

    public static string Verdict(double ratio) => double.IsNaN(ratio) ? "n/a" : ratio >= TargetRatio ? "met" : "missed";

    /// <summary>Bytes a file grew by per message stored; NaN for no messages.</summary>
    public static double BytesPerMessage(long before, long after, long messages) =>
        messages > 0 ? (after - before) / (double)messages : double.NaN;
}
