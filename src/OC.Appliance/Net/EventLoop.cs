using System.Collections.Concurrent;
using System.Net.Sockets;

namespace OC.Appliance.Net;

/// <summary>
/// The appliance's one event loop (redis ae.h in spirit): sockets registered with an interest and
/// a handler, timers, a before-sleep hook that flushes pending writes, and a waker for other
/// threads. Everything but <see cref="Wake"/> and <see cref="Stop"/> is for the loop thread only.
/// Timers, deadlines and activity times are milliseconds of <see cref="Time"/> (<see cref="Clock.NowMs"/>):
/// the system clock, or a fake one in tests, which then run iterations with <see cref="RunOnce(int)"/>.
/// </summary>
internal sealed class EventLoop : IDisposable
{
    private const int MaxEventsPerIteration = 1024;

    private readonly IPoller _poller;
    private readonly Waker _waker = new();
    private readonly TimerQueue _timers = new();
    private readonly List<Action> _beforeSleep = [];
    private readonly PollEvent[] _fired = new PollEvent[MaxEventsPerIteration];
    private readonly ConcurrentQueue<Action> _posted = new();
    private Action? _onWake;

    // Handlers live in slots; a token is (generation << 32 | slot). Events are collected before
    // any is dispatched, and a handler may close a socket whose slot is then reused by a new
    // one in the same batch: the generation tells a stale event apart and it is dropped.
    private Slot[] _slots = new Slot[64];
    private readonly Stack<int> _freeSlots = new();
    private int _slotCount;
    private volatile bool _stopping;

    public EventLoop(IPoller poller, TimeProvider? time = null)
    {
        _poller = poller;
        Time = time ?? TimeProvider.System;
        Register(_waker.Socket, _waker, PollEvents.Readable);
        _waker.OnWake = RunWakeWork;
    }

    public string PollerName => _poller.Name;

    /// <summary>The clock of the loop's timers and of everything on the loop with a deadline.</summary>
    public TimeProvider Time { get; }

    public int HandlerCount => _slotCount - _freeSlots.Count;

    /// <summary>Runs on the loop after any other thread called <see cref="Wake"/>.</summary>
    public Action? OnWake
    {
        get => _onWake;
        set => _onWake = value;
    }

    public static IPoller CreatePoller(string? name) => name switch
    {
        "select" => new SelectPoller(),
        "epoll" => EpollPoller.IsSupported ? new EpollPoller() : throw new PlatformNotSupportedException("epoll is not available on this system; use --poller select"),
        null or "" or "auto" => EpollPoller.IsSupported ? new EpollPoller() : new SelectPoller(),
        _ => throw new ArgumentException($"unknown poller '{name}' (epoll or select)"),
    };

    public ulong Register(Socket socket, IEventHandler handler, PollEvents interest)
    {
        int slot;
        if (!_freeSlots.TryPop(out slot))
        {
            if (_slotCount == _slots.Length) Array.Resize(ref _slots, _slots.Length * 2);
            slot = _slotCount++;
        }
        ref var s = ref _slots[slot];
        s.Generation++;
        s.Handler = handler;
        s.Socket = socket;
        ulong token = ((ulong)s.Generation << 32) | (uint)slot;
        _poller.Add(socket, token, interest);
        return token;
    }

    public void SetInterest(ulong token, PollEvents interest)
    {
        ref var s = ref _slots[(int)(uint)token];
        _poller.Modify(s.Socket!, token, interest);
    }

    /// <summary>Forgets a socket; call before closing it.</summary>
    public void Unregister(ulong token)
    {
        int slot = (int)(uint)token;
        ref var s = ref _slots[slot];
        if (s.Handler is null || s.Generation != (uint)(token >> 32)) return;
        _poller.Remove(s.Socket!, token);
        s.Handler = null;
        s.Socket = null;
        _freeSlots.Push(slot);
    }

    public LoopTimer AddTimer(TimeSpan dueIn, Action callback, TimeSpan? period = null) =>
        _timers.Add(Time.NowMs() + (long)dueIn.TotalMilliseconds, callback, (long)(period?.TotalMilliseconds ?? 0));

    public void AddBeforeSleep(Action hook) => _beforeSleep.Add(hook);

    /// <summary>Thread-safe.</summary>
    public void Wake() => _waker.Wake();

    /// <summary>
    /// Thread-safe: runs <paramref name="work"/> on the loop thread soon (after the current
    /// iteration's events), in posting order. For results of work done elsewhere, such as a
    /// look at the network interfaces on a pool thread.
    /// </summary>
    public void Post(Action work)
    {
        _posted.Enqueue(work);
        _waker.Wake();
    }

    /// <summary>Thread-safe: makes <see cref="Run"/> return after the current iteration.</summary>
    public void Stop()
    {
        _stopping = true;
        _waker.Wake();
    }

    public void Run()
    {
        while (!_stopping) RunOnce();
    }

    public void RunOnce() => RunOnce(Timeout.Infinite);

    /// <summary>
    /// One iteration: before-sleep hooks, a wait for events until the nearest timer but at most
    /// <paramref name="maxWaitMs"/> (-1: no limit), the events, the due timers. A test with a fake
    /// clock advances it and runs <c>RunOnce(0)</c>: the wait is real time, the timers are not.
    /// </summary>
    public void RunOnce(int maxWaitMs)
    {
        foreach (var hook in _beforeSleep) hook();

        int timeout = _timers.MillisecondsUntilNext(Time.NowMs());
        if (maxWaitMs >= 0 && (timeout < 0 || timeout > maxWaitMs)) timeout = maxWaitMs;
        int n = _poller.Wait(_fired, timeout);
        for (int i = 0; i < n; i++)
        {
            var e = _fired[i];
            ref var s = ref _slots[(int)(uint)e.Token];
            if (s.Handler is null || s.Generation != (uint)(e.Token >> 32)) continue;
            s.Handler.OnEvents(e.Events);
        }

        _timers.RunDue(Time.NowMs());
    }

    private void RunWakeWork()
    {
        // Only what is queued now: work posted meanwhile has sent its own wake-up.
        for (int n = _posted.Count; n > 0 && _posted.TryDequeue(out var work); n--) work();
        _onWake?.Invoke();
    }

    public void Dispose()
    {
        _poller.Dispose();
        _waker.Dispose();
    }

    private struct Slot
    {
        public uint Generation;
        public IEventHandler? Handler;
        public Socket? Socket;
    }
}
