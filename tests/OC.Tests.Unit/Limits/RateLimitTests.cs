using System.Net;
using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Limits;

namespace OC.Tests.Limits;

/// <summary>
/// The token buckets on a fake clock: the burst, the refill, the wait they name, and the bounded
/// table of keys. Nothing here waits for real time.
/// </summary>
public sealed class RateLimitTests
{
    private readonly FakeTimeProvider _time = new();

    private static RateLimit Limit(string text)
    {
        Assert.True(RateLimit.TryParse(text, out var limit, out string error), error);
        return limit!.Value;
    }

    private static int Takes(ref TokenBucket bucket, long nowMs, RateLimit limit)
    {
        int n = 0;
        while (bucket.TryTake(nowMs, limit, out _)) n++;
        return n;
    }

    [Fact]
    public void A_full_bucket_gives_its_burst_at_once_then_one_token_per_interval()
    {
        var limit = Limit("20/s,60");
        var bucket = default(TokenBucket);
        Assert.Equal(60, Takes(ref bucket, 0, limit));

        Assert.False(bucket.TryTake(0, limit, out long wait));
        Assert.Equal(50, wait); // 20 a second: one every 50 ms
        Assert.False(bucket.TryTake(49, limit, out wait));
        Assert.Equal(1, wait);
        Assert.True(bucket.TryTake(50, limit, out _));
        Assert.False(bucket.TryTake(50, limit, out _));

        // A second later: 20 more, not 60.
        Assert.Equal(20, Takes(ref bucket, 1050, limit));
        // Quiet for long: full again, never more than the burst.
        Assert.True(bucket.IsFull(10_000, limit));
        Assert.Equal(60, Takes(ref bucket, 10_000, limit));
    }

    [Fact]
    public void A_slow_limit_is_exact_in_integers()
    {
        var limit = Limit("30/m,20"); // one every 2 s
        var bucket = default(TokenBucket);
        Assert.Equal(20, Takes(ref bucket, 5_000, limit));
        Assert.False(bucket.TryTake(5_000, limit, out long wait));
        Assert.Equal(2_000, wait);
        Assert.False(bucket.TryTake(6_999, limit, out _));
        Assert.True(bucket.TryTake(7_000, limit, out _));

        var thirds = Limit("3/s,1"); // 333.33 ms: the wait is rounded up, never short
        var b = default(TokenBucket);
        Assert.True(b.TryTake(0, thirds, out _));
        Assert.False(b.TryTake(0, thirds, out wait));
        Assert.Equal(334, wait);
        Assert.False(b.TryTake(333, thirds, out _));
        Assert.True(b.TryTake(334, thirds, out _));
    }

    [Theory]
    [InlineData("20/s,60", 20, 1000, 60)]
    [InlineData("30/m,20", 30, 60_000, 20)]
    [InlineData("600/h", 600, 3_600_000, 600)]
    [InlineData(" 5/S,1 ", 5, 1000, 1)]
    public void Limits_are_written_rate_unit_and_burst(string text, int count, long periodMs, int burst)
    {
        var limit = Limit(text);
        Assert.Equal((count, periodMs, burst), (limit.Count, limit.PeriodMs, limit.Burst));
        Assert.Equal(limit, Limit(limit.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("20")]
    [InlineData("20/d,5")]
    [InlineData("0/s,5")]
    [InlineData("20/s,0")]
    [InlineData("20/s,")]
    [InlineData("20/s60")]
    [InlineData("-1/s,5")]
    [InlineData("2000000/s,5")]
    public void A_limit_that_is_not_rate_unit_burst_is_refused_with_a_reason(string text)
    {
        Assert.False(RateLimit.TryParse(text, out _, out string error));
        Assert.Contains(text.Trim(), error, StringComparison.Ordinal);
    }

    [Fact]
    public void Off_lifts_a_limit()
    {
        Assert.True(RateLimit.TryParse("off", out var limit, out _));
        Assert.Null(limit);
        var limits = new RateLimits(RateLimitSettings.Default.With(RateKind.Message, null), _time);
        for (int i = 0; i < 10_000; i++) Assert.True(limits.TryTake(RateKind.Message, 123456, out _));
        Assert.Equal(0, limits.Limited(RateKind.Message));
        Assert.Equal(0, limits.TrackedKeys);
    }

    [Fact]
    public void Users_have_buckets_of_their_own_and_refusals_are_counted_with_a_wait_in_whole_seconds()
    {
        var limits = new RateLimits(RateLimitSettings.Default.With(RateKind.FriendRequest, Limit("30/m,2")), _time);
        Assert.True(limits.TryTake(RateKind.FriendRequest, 111111, out _));
        Assert.True(limits.TryTake(RateKind.FriendRequest, 111111, out _));
        Assert.False(limits.TryTake(RateKind.FriendRequest, 111111, out uint retryAfter));
        Assert.Equal(2u, retryAfter);
        Assert.True(limits.TryTake(RateKind.FriendRequest, 222222, out _));
        Assert.Equal(1, limits.Limited(RateKind.FriendRequest));
        Assert.Equal(0, limits.Limited(RateKind.Message));

        // 20 a second: a 50 ms wait is told as 1 s, never 0 (0 means "does not apply").
        for (int i = 0; i < 60; i++) Assert.True(limits.TryTake(RateKind.Message, 111111, out _));
        Assert.False(limits.TryTake(RateKind.Message, 111111, out retryAfter));
        Assert.Equal(1u, retryAfter);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(limits.TryTake(RateKind.FriendRequest, 111111, out _));
    }

    [Fact]
    public void An_IPv4_address_and_its_IPv6_mapped_form_share_a_bucket()
    {
        var limits = new RateLimits(RateLimitSettings.Default.With(RateKind.Connection, Limit("1/m,1")), _time);
        var v4 = IPAddress.Parse("10.0.0.7");
        Assert.True(limits.TryTake(RateKind.Connection, v4, out _));
        Assert.False(limits.TryTake(RateKind.Connection, v4.MapToIPv6(), out _));
        Assert.True(limits.TryTake(RateKind.Connection, IPAddress.Parse("10.0.0.8"), out _));
        Assert.True(limits.TryTake(RateKind.Connection, IPAddress.Parse("fe80::7"), out _));
        Assert.NotEqual(RateLimits.Key(IPAddress.Parse("::7")), RateLimits.Key(IPAddress.Parse("0.0.0.7")));
    }

    [Fact]
    public void The_table_is_bounded_full_again_buckets_go_and_a_flood_of_new_keys_shares_one_bucket()
    {
        var limit = Limit("1/s,2");
        var limiter = new RateLimiter(limit, maxKeys: 100);
        for (uint key = 1; key <= 100; key++) Assert.True(limiter.TryTake(key, 0, out _));
        Assert.Equal(100, limiter.Keys);

        // At the cap, before anyone is full again: the newcomers share one bucket of the same limit.
        Assert.True(limiter.TryTake(1001, 0, out _));
        Assert.True(limiter.TryTake(1002, 0, out _));
        Assert.False(limiter.TryTake(1003, 0, out _));
        Assert.Equal(100, limiter.Keys);
        // Those counted keep their own bucket (one token left each).
        Assert.True(limiter.TryTake(1, 0, out _));
        Assert.False(limiter.TryTake(1, 0, out _));

        // A second later the untouched buckets are full again: a newcomer's sweep makes room.
        Assert.True(limiter.TryTake(2001, 1000, out _));
        Assert.Equal(2, limiter.Keys); // key 1 (still refilling) and 2001

        limiter.Sweep(10_000);
        Assert.Equal(0, limiter.Keys);
    }

    [Fact]
    public void A_sweep_keeps_the_buckets_that_still_hold_a_debt()
    {
        var limits = new RateLimits(RateLimitSettings.Default, _time);
        Assert.True(limits.TryTake(RateKind.Find, 111111, out _));
        Assert.True(limits.TryTake(RateKind.Login, IPAddress.Loopback, out _));
        Assert.Equal(2, limits.TrackedKeys);
        limits.Sweep();
        Assert.Equal(2, limits.TrackedKeys);

        _time.Advance(TimeSpan.FromMilliseconds(199)); // find: 5 a second, one token back after 200 ms
        limits.Sweep();
        Assert.Equal(1, limits.TrackedKeys);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        limits.Sweep();
        Assert.Equal(0, limits.TrackedKeys);
    }
}
