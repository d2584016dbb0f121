namespace OC.Appliance.Diagnostics;

/// <summary>
/// The most recent WRN or ERR line of one kind (event) as the status page shows it, and how many
/// lines of that kind were logged since the start (held-back repeats included).
/// </summary>
internal sealed record LogEntry(DateTime TimeUtc, LogLevel Level, string Event, string Text, long Count = 1);

/// <summary>
/// The status page's last warnings and errors: the most recent line of each kind, with its count,
/// so a flood of one kind (a client sending garbage) replaces only its own line and never pushes a
/// real storage error out. The kinds are the code's event names, a few dozen; beyond
/// <see cref="Capacity"/> the kind updated longest ago goes, a warning before any error.
/// Thread-safe (the storage thread logs too).
/// </summary>
internal sealed class RecentProblems(int capacity)
{
    // A log line can quote a client's input; the page needs the gist, not a megabyte.
    internal const int MaxTextLength = 300;

    private readonly Dictionary<string, LogEntry> _latest = [];
    private readonly Lock _lock = new();
    private long _total;

    public int Capacity => capacity;

    /// <summary>Every warning and error since start.</summary>
    public long Total
    {
        get { lock (_lock) return _total; }
    }

    public void Add(DateTime timeUtc, LogLevel level, string evt, string text)
    {
        if (text.Length > MaxTextLength) text = string.Concat(text.AsSpan(0, MaxTextLength - 1), "…");
        lock (_lock)
        {
            _total++;
            long count = 1;
            if (_latest.TryGetValue(evt, out var earlier)) count = earlier.Count + 1;
            else if (_latest.Count >= capacity) _latest.Remove(Oldest());
            _latest[evt] = new LogEntry(timeUtc, level, evt, text, count);
        }
    }

    /// <summary>The latest line of each kind, newest first.</summary>
    public LogEntry[] Snapshot()
    {
        lock (_lock)
        {
            var result = _latest.Values.ToArray();
            // Stable for equal times (lines of one millisecond): newest first by time, then by name.
            Array.Sort(result, (a, b) => b.TimeUtc != a.TimeUtc ? b.TimeUtc.CompareTo(a.TimeUtc) : string.CompareOrdinal(a.Event, b.Event));
            return result;
        }
    }

    private string Oldest()
    {
        LogEntry? oldest = null;
        foreach (var entry in _latest.Values)
        {
            if (oldest is null || (entry.Level, entry.TimeUtc).CompareTo((oldest.Level, oldest.TimeUtc)) < 0) oldest = entry;
        }
        return oldest!.Event;
    }
}
