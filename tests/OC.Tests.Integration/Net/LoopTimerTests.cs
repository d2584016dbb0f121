using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Net;

namespace OC.Tests.Net;

/// <summary>
/// The loop's timers on a fake clock: <see cref="TimerQueue"/> on its own, then through
/// <see cref="EventLoop"/>, whose iterations run with <c>RunOnce(0)</c> after each advance (the
/// poll then waits for nothing; the only socket is the loop's own waker). Nothing here waits for
/// real time to pass.
/// </summary>
public sealed class LoopTimerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly EventLoop _loop;
    private readonly List<string> _fired = [];

    public LoopTimerTests() => _loop = new EventLoop(EventLoop.CreatePoller(null), _time);

    public void Dispose() => _loop.Dispose();

    private Action Record(string name) => () => _fired.Add(name);

    private void Advance(int ms)
    {
        _time.Advance(TimeSpan.FromMilliseconds(ms));
        _loop.RunOnce(0);
    }

    [Fact]
    public void The_queue_runs_due_timers_in_due_order_and_says_how_long_until_the_next()
    {
        var queue = new TimerQueue();
        Assert.Equal(-1, queue.MillisecondsUntilNext(0));
        queue.Add(300, Record("c"));
        queue.Add(100, Record("a"));
        queue.Add(200, Record("b"));

        Assert.Equal(100, queue.MillisecondsUntilNext(0));
        queue.RunDue(99);
        Assert.Empty(_fired);
        Assert.Equal(0, queue.MillisecondsUntilNext(150)); // overdue: do not wait
        queue.RunDue(250);
        Assert.Equal(["a", "b"], _fired);
        Assert.Equal(50, queue.MillisecondsUntilNext(250));
        queue.RunDue(300);
        Assert.Equal(["a", "b", "c"], _fired);
        Assert.Equal(-1, queue.MillisecondsUntilNext(300));
    }

    [Fact]
    public void A_cancelled_timer_never_fires_and_no_longer_sets_the_wait()
    {
        var queue = new TimerQueue();
        var early = queue.Add(100, Record("early"));
        queue.Add(500, Record("late"));
        early.Cancel();

        Assert.Equal(500, queue.MillisecondsUntilNext(0));
        queue.RunDue(1_000);
        Assert.Equal(["late"], _fired);
    }

    [Fact]
    public void Loop_timers_fire_in_order_when_the_fake_clock_reaches_them()
    {
        _loop.AddTimer(TimeSpan.FromSeconds(2), Record("2 s"));
        _loop.AddTimer(TimeSpan.FromSeconds(1), Record("1 s"));
        _loop.AddTimer(TimeSpan.FromMilliseconds(1500), Record("1.5 s"));

        _loop.RunOnce(0);
        Advance(999);
        Assert.Empty(_fired);
        Advance(1);
        Assert.Equal(["1 s"], _fired);
        Advance(1_000); // both later ones are due in this iteration: still in due order
        Assert.Equal(["1 s", "1.5 s", "2 s"], _fired);
        Advance(10_000);
        Assert.Equal(3, _fired.Count);
    }

    [Fact]
    public void A_periodic_timer_fires_once_per_period_and_a_late_iteration_does_not_make_it_catch_up()
    {
        int ticks = 0;
        _loop.AddTimer(TimeSpan.FromSeconds(1), () => ticks++, TimeSpan.FromSeconds(1));

        Advance(1_000);
        Assert.Equal(1, ticks);
        Advance(999);
        Assert.Equal(1, ticks);
        Advance(1);
        Assert.Equal(2, ticks);

        // An iteration 3.5 periods late fires it once; the next period counts from then.
        Advance(3_500);
        Assert.Equal(3, ticks);
        Advance(999);
        Assert.Equal(3, ticks);
        Advance(1);
        Assert.Equal(4, ticks);
    }

    [Fact]
    public void Cancelling_stops_a_timer_before_it_fires_and_a_periodic_one_from_its_own_callback()
    {
        var once = _loop.AddTimer(TimeSpan.FromSeconds(1), Record("once"));
        LoopTimer? periodic = null;
        int ticks = 0;
        periodic = _loop.AddTimer(TimeSpan.FromSeconds(1), () =>
        {
            if (++ticks == 3) periodic!.Cancel();
        }, TimeSpan.FromSeconds(1));

        once.Cancel();
        for (int i = 0; i < 10; i++) Advance(1_000);
        Assert.Empty(_fired);
        Assert.Equal(3, ticks);
    }

    [Fact]
    public void A_timer_added_by_a_callback_counts_from_the_time_it_was_added()
    {
        _loop.AddTimer(TimeSpan.FromSeconds(1), () => _loop.AddTimer(TimeSpan.FromSeconds(1), Record("second")));
        Advance(1_500); // the first fires at 1.5 s: the second is due at 2.5 s
        Advance(999);
        Assert.Empty(_fired);
        Advance(1);
        Assert.Equal(["second"], _fired);
    }

    [Fact]
    public void RunOnce_with_no_wait_returns_at_once_even_with_a_timer_far_ahead()
    {
        _loop.AddTimer(TimeSpan.FromHours(1), Record("in an hour"));
        // Only a hang misses this: the fake clock says an hour, the poll must not wait for it.
        var started = TimeProvider.System.GetTimestamp();
        for (int i = 0; i < 100; i++) _loop.RunOnce(0);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30));
        Assert.Empty(_fired);
    }
}
