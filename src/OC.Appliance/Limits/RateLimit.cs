using System.Globalization;

namespace OC.Appliance.Limits;

/// <summary>
/// One limit: <see cref="Count"/> requests per <see cref="PeriodMs"/> on average, and up to
/// <see cref="Burst"/> at once after a quiet spell. Written <c>RATE/UNIT,BURST</c> on the command
/// line: <c>20/s,60</c> is 20 a second with bursts of 60, <c>30/m,20</c> one every 2 s with bursts
/// of 20; <c>off</c> lifts it.
/// </summary>
internal readonly record struct RateLimit
{
    /// <summary>Bounds that keep the integer arithmetic of <see cref="TokenBucket"/> far from overflow.</summary>
    public const int MaxCount = 1_000_000;
    public const int MaxBurst = 1_000_000;

    public RateLimit(int count, long periodMs, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(burst, MaxBurst);
        if (periodMs is not (1000 or 60_000 or 3_600_000)) throw new ArgumentOutOfRangeException(nameof(periodMs), "a second, a minute or an hour");
        Count = count;
        PeriodMs = periodMs;
        Burst = burst;
    }

    public int Count { get; }
    public long PeriodMs { get; }
    public int Burst { get; }

    public double PerSecond => Count * 1000.0 / PeriodMs;

    private char Unit => PeriodMs switch { 1000 => 's', 60_000 => 'm', _ => 'h' };

    /// <summary>"20/s,60": as the option takes it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Count}/{Unit},{Burst}");

    /// <summary>"20 a second, 60 at once": for error messages and the status page.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Count} {(Unit switch { 's' => "a second", 'm' => "a minute", _ => "an hour" })}, {Burst} at once");

    /// <summary>
    /// "20/s,60", "30/m,20", "600/h" (the burst defaults to the count), or "off" (then
    /// <paramref name="limit"/> is null). False with a reason when the text is none of these.
    /// </summary>
    public static bool TryParse(string? text, out RateLimit? limit, out string error)
    {
        limit = null;
        error = "";
        text = text?.Trim() ?? "";
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase)) return true;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash + 2 > text.Length)
        {
            error = $"'{text}' is not RATE/UNIT[,BURST] such as 20/s,60 (or off)";
            return false;
        }
        long periodMs = char.ToLowerInvariant(text[slash + 1]) switch { 's' => 1000, 'm' => 60_000, 'h' => 3_600_000, _ => 0 };
        string rest = text[(slash + 2)..];
        if (periodMs == 0 || (rest.Length > 0 && rest[0] != ','))
        {
            error = $"'{text}': the unit after / is s, m or h (a second, a minute, an hour)";
            return false;
        }
        if (!int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > MaxCount)
        {
            error = $"'{text}': the rate must be 1..{MaxCount}";
            return false;
        }
        int burst = count;
        if (rest.Length > 0 && (!int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out burst) || burst is < 1 or > MaxBurst))
        {
            error = $"'{text}': the burst after the comma must be 1..{MaxBurst}";
            return false;
        }
        limit = new RateLimit(count, periodMs, burst);
        return true;
    }
}
