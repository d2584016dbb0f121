namespace OC.Bench.Load.Soak;

/// <summary>
/// Whether RSS went up over the soak. Warm-up is the first min(5 min, run/6); the figures:
/// <list type="bullet">
/// <item>the least-squares slope of RSS over the second half of the run (KiB/min), and the same
/// over its samples taken while no attack wave held its connections ("quiet");</item>
/// <item>that slope over the whole run as a fraction of the second half's mean RSS (drift);</item>
/// <item>the mean RSS of the last window over that of the first window after warm-up (windows as
/// long as the warm-up).</item>
/// </list>
/// The message index grows by design with every message stored (about 72 bytes each,
/// docs/architecture.md "Messages"), so its expected growth is given beside the slopes and taken
/// off before judging.
/// <para>
/// The verdict is on the <b>floor</b>: the lowest RSS of each 2-minute cycle of the second half
/// (one attack wave and the quiet after it), and its least-squares slope. An attack wave
/// raises RSS by what the input budget lets it hold, by design, and the samples around it say
/// more about where in the wave a sample fell than about memory kept; what a wave leaves behind
/// for good shows in the floor. No upward trend = the slope of the floors less the message index
/// as the soak fills it (<see cref="IndexKiB"/>), over the run, under 5 % of the floors' mean. (The all-samples figures above stay printed.)
/// </para>
/// </summary>
internal sealed record SoakTrend(
    double SlopeKiBPerMinute,
    double QuietSlopeKiBPerMinute,
    double SecondHalfMeanKiB,
    double DriftFraction,
    double NetDriftFraction,
    double WindowRatio,
    double MessageIndexKiBPerMinute,
    double FloorSlopeKiBPerMinute,
    double FloorMeanKiB,
    double NetFloorDriftFraction,
    int Floors,
    bool NoUpwardTrend)
{
    /// <summary>One attack wave and the quiet after it (SoakAttack: every 2 minutes).</summary>
    public const double CycleSeconds = 120;

    /// <summary>
    /// What the in-memory message index holds per message (MessageIndex): three 16-byte entries
    /// (the sender's list, the recipient's, the conversation's) in lists that grow by doubling,
    /// so 1.5 times that on average.
    /// </summary>
    public const double IndexBytesPerMessage = 72;
    public const double DriftLimit = 0.05;

    public static SoakTrend Of(IReadOnlyList<SoakSample> samples, double durationSeconds, int pairs)
    {
        double warmup = Math.Min(300, durationSeconds / 6);
        var secondHalf = samples.Where(s => s.ElapsedSeconds >= durationSeconds / 2).ToList();
        double slope = Slope(secondHalf, s => s.RssKiB);
        double quiet = Slope(secondHalf.Where(s => !s.AttackHolding).ToList(), s => s.RssKiB);
        double mean = secondHalf.Count > 0 ? secondHalf.Average(s => (double)s.RssKiB) : 0;
        // Samples whose status read failed (-1) are left out of this one.
        double index = Slope(secondHalf.Where(s => s.MessagesStored >= 0).ToList(), s => s.MessagesStored) * IndexBytesPerMessage / 1024;
        double minutes = durationSeconds / 60;
        double drift = mean > 0 ? slope * minutes / mean : 0;
        double netDrift = mean > 0 ? (slope - index) * minutes / mean : 0;

        double early = MeanRss(samples, s => s.ElapsedSeconds > warmup && s.ElapsedSeconds <= 2 * warmup);
        double late = MeanRss(samples, s => s.ElapsedSeconds > durationSeconds - warmup);
        double ratio = early > 0 ? late / early : 0;
        // The index's growth between the two windows' middles, as a share of the early mean.
        double indexShare = early > 0 ? index * (durationSeconds - 2 * warmup) / 60 / early : 0;
        // Floors: the lowest RSS of each whole cycle of the second half, at the cycle's middle. The
        // second half, as the figures above: by then each chat sender's window of recent message
        // ids (RecentIds.Capacity, 1,024: ~17 minutes at one message a second) is
        // full, a bounded growth by design that would otherwise count as a trend.
        double half = durationSeconds / 2;
        var floors = samples.Where(s => s.ElapsedSeconds > half)
            .GroupBy(s => (int)((s.ElapsedSeconds - half) / CycleSeconds))
            .Where(g => g.Count() >= CycleSeconds / 20 && (g.Key + 1) * CycleSeconds + half <= durationSeconds + 1)
            .Select(g => g.MinBy(s => s.RssKiB)! with { ElapsedSeconds = half + (g.Key + 0.5) * CycleSeconds })
            .ToList();
        double floorSlope = Slope(floors, s => s.RssKiB);
        double floorMean = floors.Count > 0 ? floors.Average(s => (double)s.RssKiB) : 0;
        // Net of the index as the soak fills it: every message lands in three lists of equal length
        // (each pair's conversation and its two users), which double together, so the index grows
        // in steps (2,048 → 4,096 entries a list at ~17 minutes). The step, not the average, is
        // what a floor sees; the model is taken off each floor before its slope.
        double netFloorSlope = Slope(floors.Where(s => s.MessagesStored >= 0).ToList(), s => s.RssKiB - IndexKiB(s.MessagesStored, pairs));
        double netFloorDrift = floorMean > 0 ? netFloorSlope * minutes / floorMean : 0;
        return new SoakTrend(slope, quiet, mean, drift, netDrift, ratio, index, floorSlope, floorMean, netFloorDrift, floors.Count,
            floors.Count >= 3 && netFloorDrift < DriftLimit);
    }

    /// <summary>The soak's message index after <paramref name="stored"/> messages: 3 lists a pair of <see cref="Capacity"/> 16-byte entries.</summary>
    public static double IndexKiB(long stored, int pairs) =>
        pairs <= 0 ? 0 : 3.0 * pairs * Capacity((stored + pairs - 1) / pairs) * 16 / 1024;

    /// <summary>A List's capacity after <paramref name="count"/> adds (4, then doubling).</summary>
    private static long Capacity(long count) => count == 0 ? 0 : Math.Max(4, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)count));

    private static double MeanRss(IReadOnlyList<SoakSample> samples, Func<SoakSample, bool> where)
    {
        var picked = samples.Where(where).ToList();
        return picked.Count > 0 ? picked.Average(s => (double)s.RssKiB) : 0;
    }

    /// <summary>Least squares, per minute.</summary>
    private static double Slope(IReadOnlyList<SoakSample> samples, Func<SoakSample, double> value)
    {
        if (samples.Count < 2) return 0;
        double mx = samples.Average(s => s.ElapsedSeconds / 60), my = samples.Average(value);
        double sxy = 0, sxx = 0;
        foreach (var s in samples)
        {
            double dx = s.ElapsedSeconds / 60 - mx;
            sxy += dx * (value(s) - my);
            sxx += dx * dx;
        }
        return sxx > 0 ? sxy / sxx : 0;
    }
}
