using System.Diagnostics;
using System.Globalization;
using OC.Protocol.Client;

namespace OC.CliClient.Terminal;

/// <summary>
/// Shows a transfer's progress: on a terminal a bar redrawn in place on stderr (bytes, rate, ETA);
/// with --json one progress object per line on stdout at most twice a second; otherwise (a pipe,
/// a log) a plain line on stderr every 5 seconds and at the end.
/// </summary>
internal sealed class TransferProgress(CliEnvironment environment, Output output, string what) : IProgress<FileTransferProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _startBytes = -1;
    private long _lastShownMs = -1000;
    private long _lastPlainMs = -5000;
    private bool _drawn;

    public void Report(FileTransferProgress value)
    {
        if (_startBytes < 0) _startBytes = value.Done;
        long now = _clock.ElapsedMilliseconds;
        bool last = value.Done >= value.Size;
        if (!last && now - _lastShownMs < (output.Json ? 500 : 100)) return;
        _lastShownMs = now;

        double seconds = Math.Max(0.001, now / 1000.0);
        double rate = (value.Done - _startBytes) / seconds;
        if (output.Json)
        {
            output.JsonLine(new TransferProgressOutput(value.FileId.ToString("x16", CultureInfo.InvariantCulture), value.Done, value.Size, (long)rate),
                OutputJsonContext.Default.TransferProgressOutput);
            return;
        }
        if (!environment.OutputIsTerminal)
        {
            // Not a terminal (a log, a pipe): a plain line on stderr every few seconds and at the end.
            if (!last && now - _lastPlainMs < 5000) return;
            _lastPlainMs = now;
            environment.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"oc: {what} {Bytes(value.Done)} of {Bytes(value.Size)} ({(value.Size == 0 ? 100 : 100.0 * value.Done / value.Size):0}%), {Bytes((long)rate)}/s"));
            environment.Error.Flush();
            return;
        }

        double fraction = value.Size == 0 ? 1 : (double)value.Done / value.Size;
        int filled = (int)(fraction * 24);
        string eta = rate > 0 && !last ? Duration((value.Size - value.Done) / rate) : "--:--";
        environment.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{what} [{new string('#', filled)}{new string('.', 24 - filled)}] {fraction * 100,5:0.0}%  {Bytes(value.Done)}/{Bytes(value.Size)}  {Bytes((long)rate)}/s  ETA {eta}  "));
        environment.Error.Flush();
        _drawn = true;
    }

    /// <summary>Ends the bar's line so the result starts on a fresh one.</summary>
    public void Finish()
    {
        if (!_drawn) return;
        environment.Error.WriteLine();
        _drawn = false;
    }

    public static string Bytes(long n) => n switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{n} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{n / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{n / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{n / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    private static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Min(seconds, 359_999));
        return t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes:00}:{t.Seconds:00}");
    }
}
