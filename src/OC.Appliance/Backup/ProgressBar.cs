using System.Diagnostics;
using System.Globalization;

namespace OC.Appliance.Backup;

/// <summary>
/// A one-line progress bar on stderr, redrawn at most ten times a second, only when stderr is a
/// terminal: a backup run from cron or a script stays quiet (its summary goes to stdout).
/// </summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly string _verb;
    private readonly bool _enabled;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _total;
    private long _done;
    private long _drawnMs = -1000;

    public ProgressBar(string verb, long total, bool? enabled = null)
    {
        _verb = verb;
        _total = Math.Max(total, 1);
        _enabled = enabled ?? !Console.IsErrorRedirected;
    }

    /// <summary>A bar that draws nothing.</summary>
    public static ProgressBar Silent => new("", 1, enabled: false);

    public long Total
    {
        get => _total;
        set => _total = Math.Max(value, 1);
    }

    public void Add(long bytes)
    {
        _done += bytes;
        if (_enabled && _clock.ElapsedMilliseconds - _drawnMs >= 100) Draw();
    }

    /// <summary>Sets how far it is (for a bar that follows a stream's position).</summary>
    public void Set(long done)
    {
        _done = 0;
        Add(done);
    }

    /// <summary>The bar at its end, and a new line.</summary>
    public void Finish()
    {
        if (!_enabled) return;
        _done = _total;
        Draw();
        Console.Error.WriteLine();
    }

    /// <summary>Takes the bar off the line (before an error is printed).</summary>
    public void Clear()
    {
        if (_enabled && _drawnMs >= 0) Console.Error.Write("\r\u001b[K");
    }

    private void Draw()
    {
        _drawnMs = _clock.ElapsedMilliseconds;
        double part = Math.Clamp((double)_done / _total, 0, 1);
        int filled = (int)(part * Width);
        string text = string.Create(CultureInfo.InvariantCulture,
            $"\r{_verb} [{new string('#', filled)}{new string('.', Width - filled)}] {part * 100,3:0}%  {_done / 1048576.0:0.0} of {_total / 1048576.0:0.0} MiB");
        Console.Error.Write(text);
    }
}
