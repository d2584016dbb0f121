using System.Net;

namespace OC.Appliance.Diagnostics;

internal enum LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 }

/// <summary>
/// One line per event on stderr: time, level, a stable event name, then the text.
/// Deliberately tiny: the appliance logs events that matter (start, listen, errors,
/// connect/disconnect at debug), never per message, so a formatting call per line is fine.
/// Callers check <see cref="IsEnabled"/> before building an expensive message.
/// </summary>
/// <remarks>
/// A flood is summarised (<see cref="RepeatedLines"/>): every warning and error, and an info line
/// that names the client address it is about, counts against its (event, address); past a few a
/// minute the rest are held back and told as one line when the minute ends. The status page's
/// <see cref="Recent"/> still sees every warning and error.
/// </remarks>
internal static class Log
{
    private static readonly Lock s_lock = new();

    public static LogLevel MinLevel { get; set; } = LogLevel.Info;

    /// <summary>The latest warning or error of each kind, for the status page.</summary>
    public static RecentProblems Recent { get; } = new(64);

    /// <summary>Lines held back this minute; the appliance's loop ends the minute (<see cref="SummariseRepeats"/>).</summary>
    public static RepeatedLines Repeats { get; } = new();

    /// <summary>Where the lines go: stderr unless a test reads them (null: <see cref="Console.Error"/> as it is now).</summary>
    internal static TextWriter? Output { get; set; }

    public static bool IsEnabled(LogLevel level) => level >= MinLevel;

    public static void Debug(string evt, string text) => Write(LogLevel.Debug, evt, null, text);
    public static void Info(string evt, string text) => Write(LogLevel.Info, evt, null, text);
    public static void Warn(string evt, string text) => Write(LogLevel.Warn, evt, null, text);
    public static void Error(string evt, string text) => Write(LogLevel.Error, evt, null, text);

    /// <summary>An info line about a client at <paramref name="source"/>: summarised when it repeats.</summary>
    public static void Info(string evt, IPAddress? source, string text) => Write(LogLevel.Info, evt, source, text);

    /// <summary>A warning about a client at <paramref name="source"/>: summarised per event and address when it repeats.</summary>
    public static void Warn(string evt, IPAddress? source, string text) => Write(LogLevel.Warn, evt, source, text);

    public static void Write(LogLevel level, string evt, string text) => Write(level, evt, null, text);

    public static void Write(LogLevel level, string evt, IPAddress? source, string text)
    {
        if (level < MinLevel) return;
        // The system clock, not the appliance's injected one: Log is static and written from every
        // thread, and a log line says when it was written, even in a test that fakes the clock.
        var now = DateTime.UtcNow;
        if (level >= LogLevel.Warn) Recent.Add(now, level, evt, text);
        bool summarised = level >= LogLevel.Warn || (level == LogLevel.Info && source is not null);
        if (summarised && !Repeats.ShouldWrite(level, evt, source)) return;
        WriteLine(now, level, evt, text);
    }

    /// <summary>Ends the minute of <see cref="Repeats"/>: a line for each (event, address) that had lines held back.</summary>
    public static void SummariseRepeats()
    {
        var summaries = Repeats.EndWindow();
        if (summaries.Count == 0) return;
        var now = DateTime.UtcNow;
        foreach (var (level, evt, text) in summaries)
        {
            if (level >= MinLevel) WriteLine(now, level, evt, text);
        }
    }

    private static void WriteLine(DateTime now, LogLevel level, string evt, string text)
    {
        var tag = level switch
        {
            LogLevel.Debug => "DBG",
            LogLevel.Info => "INF",
            LogLevel.Warn => "WRN",
            _ => "ERR",
        };
        var line = $"{now:yyyy-MM-ddTHH:mm:ss.fffZ} {tag} {evt}: {text}";
        lock (s_lock)
        {
            (Output ?? Console.Error).WriteLine(line);
        }
    }
}
