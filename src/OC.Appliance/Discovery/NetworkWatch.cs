using OC.Appliance.Diagnostics;
using OC.Appliance.Net;

namespace OC.Appliance.Discovery;

/// <summary>
/// Follows interfaces that come and go: every few seconds a look at the interface list, taken on a
/// pool thread (it reads /proc and /sys: cheap, but a file read all the same, and the loop never
/// blocks) and posted back to the loop, which compares it with what it has. One look at a time.
/// </summary>
internal sealed class NetworkWatch : IDisposable
{
    private readonly EventLoop _loop;
    private readonly Func<LinkScan> _scan;
    private readonly Action<LinkScan> _onScanned;
    private readonly LoopTimer _timer;
    private bool _inFlight;
    private bool _disposed;

    public NetworkWatch(EventLoop loop, TimeSpan period, Func<LinkScan> scan, Action<LinkScan> onScanned)
    {
        _loop = loop;
        _scan = scan;
        _onScanned = onScanned;
        _timer = loop.AddTimer(period, Look, period);
    }

    /// <summary>Loop thread: starts a look unless one is under way.</summary>
    public void Look()
    {
        if (_inFlight || _disposed) return;
        _inFlight = true;
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.ScanOffLoop(), this, preferLocal: false);
    }

    private void ScanOffLoop()
    {
        LinkScan? links = null;
        try
        {
            links = _scan();
        }
#pragma warning disable CA1031 // A failed look is retried at the next tick; it must not end the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.Debug("mdns.scan_failed", $"{e.GetType().Name}: {e.Message}");
        }
        _loop.Post(() =>
        {
            _inFlight = false;
            if (links is not null && !_disposed) _onScanned(links);
        });
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Cancel();
    }
}
