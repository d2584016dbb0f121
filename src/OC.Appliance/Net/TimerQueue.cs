namespace OC.Appliance.Net;

/// <summary>
/// Timers of the loop, ordered by due time (milliseconds of the loop's clock, <see cref="Clock.NowMs"/>).
/// The loop's poll timeout is the time to the nearest one. Loop thread only.
/// </summary>
internal sealed class TimerQueue
{
    private readonly PriorityQueue<LoopTimer, long> _queue = new();

    public LoopTimer Add(long dueMs, Action callback, long periodMs = 0)
    {
        var timer = new LoopTimer(callback, periodMs);
        _queue.Enqueue(timer, dueMs);
        return timer;
    }

    /// <summary>Milliseconds until the next live timer, or -1 when there is none.</summary>
    public int MillisecondsUntilNext(long nowMs)
    {
        while (_queue.TryPeek(out var timer, out long due))
        {
            if (timer.Cancelled)
            {
                _queue.Dequeue();
                continue;
            }
            return (int)Math.Clamp(due - nowMs, 0, int.MaxValue);
        }
        return -1;
    }

    public void RunDue(long nowMs)
    {
        while (_queue.TryPeek(out var timer, out long due) && due <= nowMs)
        {
            _queue.Dequeue();
            if (timer.Cancelled) continue;
            timer.Callback();
            if (timer.PeriodMs > 0 && !timer.Cancelled) _queue.Enqueue(timer, nowMs + timer.PeriodMs);
        }
    }
}

internal sealed class LoopTimer(Action callback, long periodMs)
{
    public Action Callback { get; } = callback;
    public long PeriodMs { get; } = periodMs;
    public bool Cancelled { get; private set; }

    public void Cancel() => Cancelled = true;
}
