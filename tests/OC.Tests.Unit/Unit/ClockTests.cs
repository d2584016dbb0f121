using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Net;

namespace OC.Tests.Unit;

public sealed class ClockTests
{
    [Fact]
    public void A_fake_clock_moves_only_when_advanced_and_by_exactly_that_much()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        long ms = time.NowMs();
        Assert.Equal(ms, time.NowMs());
        time.Advance(TimeSpan.FromMilliseconds(1_234));
        Assert.Equal(ms + 1_234, time.NowMs());
        Assert.Equal(1_700_000_001_234, time.UnixMs());
    }

    [Fact]
    public void Each_millisecond_a_fake_clock_is_advanced_reads_as_exactly_one()
    {
        // A fake clock's timestamps are ticks since year 1 (about 6e17), past what a double holds
        // exactly: milliseconds computed through one were off by one now and then.
        var time = new FakeTimeProvider();
        long ms = time.NowMs();
        for (int i = 1; i <= 5_000; i++)
        {
            time.SetUtcNow(time.GetUtcNow() + TimeSpan.FromMilliseconds(1));
            Assert.Equal(ms + i, time.NowMs());
        }
    }

    [Fact]
    public void Reading_the_system_clock_allocates_nothing()
    {
        // The loop reads it for every receive: it must not allocate.
        long sum = TimeProvider.System.NowMs() + TimeProvider.System.UnixMs();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++) sum += TimeProvider.System.NowMs() + TimeProvider.System.UnixMs();
        Assert.Equal(allocated, GC.GetAllocatedBytesForCurrentThread());
        Assert.NotEqual(0, sum);
    }
}
