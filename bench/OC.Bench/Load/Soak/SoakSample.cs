using System.Globalization;

namespace OC.Bench.Load.Soak;

/// <summary>
/// One row of the soak's CSV. Chat figures are for the interval since the previous sample; the
/// other counts are totals since the load started. -1: not available (HTTP off or no answer).
/// </summary>
internal sealed record SoakSample(
    double ElapsedSeconds,
    long RssKiB,
    long RssAnonKiB,
    int Fds,
    int Connections,
    long MessagesStored,
    long ChatSent,
    long ChatDelivered,
    int LatencyCount,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    long FileLoops,
    long Churned,
    long Garbage,
    long Attackers,
    bool AttackHolding,
    long Errors)
{
    public const string CsvHeader =
        "elapsed_s,rss_kib,rss_anon_kib,fds,connections,messages_stored,chat_sent,chat_delivered,chat_p50_ms,chat_p99_ms,chat_max_ms," +
        "file_loops,churned,garbage,attackers,attack_holding,errors";

    public string ToCsv() => string.Join(',',
        F(ElapsedSeconds, "0.0"), I(RssKiB), I(RssAnonKiB), I(Fds), I(Connections), I(MessagesStored), I(ChatSent), I(ChatDelivered),
        F(P50Ms, "0.000"), F(P99Ms, "0.000"), F(MaxMs, "0.000"), I(FileLoops), I(Churned), I(Garbage), I(Attackers), AttackHolding ? "1" : "0", I(Errors));

    public string ToConsole() => string.Create(CultureInfo.InvariantCulture,
        $"{ElapsedSeconds,7:0} s  RSS {RssKiB,8} KiB  fds {Fds,5}  conns {Connections,5}  chat {ChatDelivered,5} p50 {P50Ms,6:0.00} p99 {P99Ms,7:0.00} ms  " +
        $"files {FileLoops,4}  churned {Churned,6}  garbage {Garbage,5}  attackers {Attackers,6}{(AttackHolding ? " (attack)" : "")}  errors {Errors}");

    /// <summary>Reads a row written by <see cref="ToCsv"/> (for --replot); the latency count is not in the CSV, only whether there was one.</summary>
    public static SoakSample FromCsv(string line)
    {
        var f = line.Split(',');
        if (f.Length != 17) throw new UsageException($"not a soak CSV row: {line}");
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        long delivered = L(7);
        return new SoakSample(D(0), L(1), L(2), (int)L(3), (int)L(4), L(5), L(6), delivered, delivered > 0 ? (int)delivered : 0,
            D(8), D(9), D(10), L(11), L(12), L(13), L(14), f[15] == "1", L(16));
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
