using System.Globalization;
using System.Net;

namespace OC.Appliance.Diagnostics;

/// <summary>
/// Keeps a flood of one kind of line from one address out of the log (issue 11): in each window
/// (a minute, ended by the loop's timer through <see cref="Log.SummariseRepeats"/>) the first
/// <see cref="FreePerWindow"/> lines of an (event, address) are written, the rest only counted,
/// and the window ends with one line per key that had more: "and 3,512 more from 10.0.0.7 in the
/// last minute". At most <see cref="MaxKeys"/> keys a window; lines of further keys are counted
/// per event as "from other addresses". Thread-safe: every thread logs.
/// </summary>
internal sealed class RepeatedLines(int freePerWindow = 5, int maxKeys = 1024)
{
    private readonly Dictionary<(string Event, IPAddress? Source), Seen> _seen = [];
    private readonly Dictionary<string, Seen> _others = [];
    private readonly Lock _lock = new();

    public int FreePerWindow => freePerWindow;

    public int MaxKeys => maxKeys;

    /// <summary>Counts the line; true when it is to be written, false when the window's summary will tell of it.</summary>
    public bool ShouldWrite(LogLevel level, string evt, IPAddress? source)
    {
        lock (_lock)
        {
            var key = (evt, source);
            if (_seen.TryGetValue(key, out var seen))
            {
                _seen[key] = seen with { Count = seen.Count + 1, Level = Max(seen.Level, level) };
                return seen.Count < freePerWindow;
            }
            if (_seen.Count < maxKeys)
            {
                _seen[key] = new Seen(1, level);
                return freePerWindow > 0;
            }
            var other = _others.GetValueOrDefault(evt);
            _others[evt] = new Seen(other.Count + 1, Max(other.Level, level));
            return false;
        }
    }

    /// <summary>Ends the window: the summary lines of the lines held back, and a fresh count for everyone.</summary>
    public List<(LogLevel Level, string Event, string Text)> EndWindow()
    {
        var lines = new List<(LogLevel, string, string)>();
        lock (_lock)
        {
            foreach (var ((evt, source), seen) in _seen)
            {
                long held = seen.Count - freePerWindow;
                if (held > 0) lines.Add((seen.Level, evt, Summary(held, source?.ToString())));
            }
            foreach (var (evt, seen) in _others) lines.Add((seen.Level, evt, Summary(seen.Count, "other addresses")));
            _seen.Clear();
            _others.Clear();
        }
        return lines;
    }

    private static string Summary(long held, string? from) =>
        string.Create(CultureInfo.InvariantCulture, $"and {held:N0} more{(from is null ? "" : " from " + from)} in the last minute");

    private static LogLevel Max(LogLevel a, LogLevel b) => a > b ? a : b;

    private readonly record struct Seen(long Count, LogLevel Level);
}
