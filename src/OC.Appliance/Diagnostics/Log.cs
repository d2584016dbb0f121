namespace OC.Appliance.Diagnostics;

internal enum LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 }

/// <summary>
/// One line per event on stderr: time, level, a stable event name, then the text.
/// Deliberately tiny: the appliance logs events that matter (start, listen, errors,
/// connect/disconnect at debug), never per message, so a formatting call per line is fine.
/// Callers check <see cref="IsEnabled"/> before building an expensive message.
/// </summary>
internal static class Log
{
    private static readonly Lock s_lock = new();

    public static LogLevel MinLevel { get; set; } = LogLevel.Info;

    /// <summary>The last warnings and errors of this process, for the status page.</summary>
    public static RecentProblems Recent { get; } = new(10);

    public static bool IsEnabled(LogLevel level) => level >= MinLevel;

    public static void Debug(string evt, string text) => Write(LogLevel.Debug, evt, text);
    public static void Info(string evt, string text) => Write(LogLevel.Info, evt, text);
    public static void Warn(string evt, string text) => Write(LogLevel.Warn, evt, text);
    public static void Error(string evt, string text) => Write(LogLevel.Error, evt, text);

    public static void Write(LogLevel level, string evt, string text)
    {
        if (level < MinLevel) return;
        var tag = level switch
        {
            LogLevel.Debug => "DBG",
            LogLevel.Info => "INF",
            LogLevel.Warn => "WRN",
            _ => "ERR",
        };
        // The system clock, not the appliance's injected one: Log is static and written from every
        // thread, and a log line says when it was written, even in a test that fakes the clock.
        var now = DateTime.UtcNow;
        var line = $"{now:yyyy-MM-ddTHH:mm:ss.fffZ} {tag} {evt}: {text}";
        if (level >= LogLevel.Warn) Recent.Add(now, level, evt, text);
        lock (s_lock)
        {
            Console.Error.WriteLine(line);
        }
    }
}
