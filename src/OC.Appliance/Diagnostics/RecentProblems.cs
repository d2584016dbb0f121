namespace OC.Appliance.Diagnostics;

/// <summary>One WRN or ERR line as the status page shows it.</summary>
internal sealed record LogEntry(DateTime TimeUtc, LogLevel Level, string Event, string Text);

/// <summary>
/// The last few warnings and errors, for the status page: a fixed ring, so a flood of them
/// costs no memory, only the older ones. Thread-safe (the storage thread logs too).
/// </summary>
internal sealed class RecentProblems(int capacity)
{
    // A log line can quote a client's input; the page needs the gist, not a megabyte.
    internal const int MaxTextLength = 300;

    private readonly LogEntry?[] _ring = new LogEntry?[capacity];
    private readonly Lock _lock = new();
    private int _next;
    private long _total;

    public int Capacity => _ring.Length;

    /// <summary>Every warning and error since start, including those that fell out of the ring.</summary>
    public long Total
    {
        get { lock (_lock) return _total; }
    }

    public void Add(DateTime timeUtc, LogLevel level, string evt, string text)
    {
        if (text.Length > MaxTextLength) text = string.Concat(text.AsSpan(0, MaxTextLength - 1), "…");
        var entry = new LogEntry(timeUtc, level, evt, text);
        lock (_lock)
        {
            _ring[_next] = entry;
            _next = (_next + 1) % _ring.Length;
            _total++;
        }
    }

    /// <summary>The entries still in the ring, newest first.</summary>
    public LogEntry[] Snapshot()
    {
        lock (_lock)
        {
            var result = new List<LogEntry>(_ring.Length);
            for (int i = 1; i <= _ring.Length; i++)
            {
                var entry = _ring[(_next - i + _ring.Length) % _ring.Length];
                if (entry is null) break;
                result.Add(entry);
            }
            return [.. result];
        }
    }
}
