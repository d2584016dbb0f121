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
/// Nothing is taken off before judging: the message index lives on disk (docs/architecture.md
/// "Messages"), so RSS has no growth by design per stored message any more (before issue 13 it
/// did, ~72 bytes a message, and this verdict took a model of it off).
/// <para>
/// The verdict is on the <b>floor</b>: the lowest RSS of each 2-minute cycle of the second half
/// (one attack wave and the quiet after it), and its least-squares slope. An attack wave
/// raises RSS by what the input budget lets it hold, by design, and the samples around it say
/// more about where in the wave a sample fell than about memory kept; what a wave leaves behind
/// for good shows in the floor. No upward trend = the slope of the floors, over the run, under 5 %
/// of the floors' mean. (The all-samples figures above stay printed.)
/// </para>
/// </summary>
internal sealed record SoakTrend(
    double SlopeKiBPerMinute,
    double QuietSlopeKiBPerMinute,
    double SecondHalfMeanKiB,
    double DriftFraction,
    double WindowRatio,
    double FloorSlopeKiBPerMinute,
    double FloorMeanKiB,
    double FloorDriftFraction,
    int Floors,
    bool NoUpwardTrend)
{
    /// <summary>One attack wave and the quiet after it (SoakAttack: every 2 minutes).</summary>
    public const double CycleSeconds = 120;

    public const double DriftLimit = 0.05;

    public static SoakTrend Of(IReadOnlyList<SoakSample> samples, double durationSeconds)
    {
        double warmup = Math.Min(300, durationSeconds / 6);
        var secondHalf = samples.Where(s => s.ElapsedSeconds >= durationSeconds / 2).ToList();
        double slope = Slope(secondHalf, s => s.RssKiB);
        double quiet = Slope(secondHalf.Where(s => !s.AttackHolding).ToList(), s => s.RssKiB);
        double mean = secondHalf.Count > 0 ? secondHalf.Average(s => (double)s.RssKiB) : 0;
        double minutes = durationSeconds / 60;
        double drift = mean > 0 ? slope * minutes / mean : 0;

        double early = MeanRss(samples, s => s.ElapsedSeconds > warmup && s.ElapsedSeconds <= 2 * warmup);
        double late = MeanRss(samples, s => s.ElapsedSeconds > durationSeconds - warmup);
        double ratio = early > 0 ? late / early : 0;
        // Floors: the lowest RSS of each whole cycle of the second half, at the cycle's middle. The
        // second half, as the figures above: by then each chat sender's window of recent message
        // ids (RecentIds, up to 1,024: ~17 minutes at one message a second) has grown to its
        // size, a bounded growth by design that would otherwise count as a trend.
        double half = durationSeconds / 2;
        var floors = samples.Where(s => s.ElapsedSeconds > half)
            .GroupBy(s => (int)((s.ElapsedSeconds - half) / CycleSeconds))
            .Where(g => g.Count() >= CycleSeconds / 20 && (g.Key + 1) * CycleSeconds + half <= durationSeconds + 1)
            .Select(g => g.MinBy(s => s.RssKiB)! with { ElapsedSeconds = half + (g.Key + 0.5) * CycleSeconds })
            .ToList();
        double floorSlope = Slope(floors, s => s.RssKiB);
        double floorMean = floors.Count > 0 ? floors.Average(s => (double)s.RssKiB) : 0;
        double floorDrift = floorMean > 0 ? floorSlope * minutes / floorMean : 0;
        return new SoakTrend(slope, quiet, mean, drift, ratio, floorSlope, floorMean, floorDrift, floors.Count,
            floors.Count >= 3 && floorDrift < DriftLimit);
    }

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
