using OC.Appliance.Diagnostics;
using OC.Appliance.Net;

namespace OC.Appliance.Storage.Messages;

/// <summary>
/// --retention on the message worker: at start and then whenever the oldest kept message
/// expires (but at most every <see cref="RetentionMinIntervalMs"/>), steps of
/// <see cref="MessageLog.Expire"/> run between groups, each bounded (<see cref="MessageLog.ExpireBatch"/>
/// messages), until nothing older than the cutoff is left. Idle or busy: a due step runs before
/// the next group as well as when the worker waits.
/// </summary>
internal sealed partial class MessageWorker
{
    /// <summary>Retention runs at most this often once caught up: a message is dropped within ten minutes of expiring.</summary>
    internal const long RetentionMinIntervalMs = 10 * 60 * 1000;

    private long _retentionMs;
    private long _retentionDueMs = long.MaxValue;

    // One run (steps until caught up), summed for its log line.
    private long _runDropped;
    private long _runBytes;
    private ulong _runFirstSeq;
    private bool _runPunched = true;

    /// <summary>--retention, or null.</summary>
    public TimeSpan? Retention { get; private set; }

    /// <summary>Messages dropped by retention since the start (thread-safe read).</summary>
    public long MessagesExpired => Interlocked.Read(ref _expired);

    private long _expired;

    private bool RetentionDue => Retention is not null && Time.UnixMs() >= _retentionDueMs;
    // (Steps run only between groups: the callers check that nothing is staged.)

    private void InitRetention(TimeSpan? retention)
    {
        if (retention is not { } r) return;
        Retention = r;
        _retentionMs = (long)r.TotalMilliseconds;
        _retentionDueMs = Time.UnixMs(); // at start
        Log.Info("messages.retention", $"messages are kept for {Describe(r)}; the first kept is seq {_log.FirstRetainedSeq}");
    }

    /// <summary>The worker's wait: <paramref name="otherMs"/>, or less when a retention step falls due sooner.</summary>
    private int RetentionWaitMs(int otherMs)
    {
        if (Retention is null) return otherMs;
        long untilDue = Math.Clamp(_retentionDueMs - Time.UnixMs(), 0, int.MaxValue);
        return otherMs == Timeout.Infinite ? (int)untilDue : (int)Math.Min(otherMs, untilDue);
    }

    /// <summary>One bounded step; when caught up, logs the run and sets when the next is due.</summary>
    private void ExpireStep()
    {
        long now = Time.UnixMs();
        long cutoff = now - _retentionMs;
        if (_runDropped == 0) _runFirstSeq = _log.FirstRetainedSeq;
        ExpireStep step;
        try
        {
            step = _log.Expire(cutoff);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // The messages stay until the next try; traffic goes on.
            Log.Error("messages.retention_failed", $"{e.Message}; retried in {RetentionMinIntervalMs / 60_000} minutes");
            _retentionDueMs = now + RetentionMinIntervalMs;
            return;
        }
        _runDropped += step.Dropped;
        _runBytes += step.Bytes;
        _runPunched &= step.Punched;
        Interlocked.Add(ref _messages, -step.Dropped);
        Interlocked.Exchange(ref _roomMessages, _log.RoomTextsKept);
        Interlocked.Add(ref _expired, step.Dropped);
        if (!step.CaughtUp)
        {
            _retentionDueMs = now; // the next step at once (between groups)
            return;
        }
        if (_runDropped > 0)
        {
            string space = _runPunched ? "their space freed" : "overwritten with zeros (this file system cannot punch holes: no space freed)";
            Log.Info("messages.retention", $"dropped {_runDropped} messages (seq {_runFirstSeq} to {_log.FirstRetainedSeq - 1}) older than {DateTimeOffset.FromUnixTimeMilliseconds(cutoff):u}: {_runBytes} bytes of the log erased, {space}; the first kept is seq {_log.FirstRetainedSeq}");
        }
        _runDropped = 0;
        _runBytes = 0;
        _runPunched = true;
        // Next when the oldest kept message expires (with none, a new one expires a retention from now).
        long next = step.OldestKeptMs is { } oldest ? oldest + _retentionMs : now + _retentionMs;
        _retentionDueMs = Math.Max(next, now + RetentionMinIntervalMs);
    }

    /// <summary>Runs retention now on the worker, to the end, before the jobs posted after it (tests; the worker schedules it itself).</summary>
    internal void ExpireNow() => Post(new ExpireNowJob(this));

    private sealed class ExpireNowJob(MessageWorker worker) : WorkerJob<MessageLog>
    {
        internal override bool Writes => false;

        internal override void Execute(MessageLog log)
        {
            if (worker.Retention is null) return;
            worker._retentionDueMs = worker.Time.UnixMs();
            // Staged messages of the group before it: the worker runs it before the next group.
            if (log.HasStaged) return;
            while (worker.RetentionDue) worker.ExpireStep();
        }

        internal override void Complete() { }
    }

    internal static string Describe(TimeSpan t) =>
        t.TotalDays >= 1 && t.TotalDays == Math.Floor(t.TotalDays) ? $"{t.TotalDays:0}d"
        : t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours:0}h"
        : t.TotalMinutes == Math.Floor(t.TotalMinutes) ? $"{t.TotalMinutes:0}m" : $"{t.TotalSeconds:0}s";
}
