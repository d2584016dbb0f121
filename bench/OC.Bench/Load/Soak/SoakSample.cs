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

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
