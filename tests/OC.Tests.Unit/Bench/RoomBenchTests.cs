using OC.Bench.Load;

namespace OC.Tests.Bench;

/// <summary>
/// The pure parts of issue 14's room benchmarks (`room`, `room-disk`): their command line, the
/// tracker that finds each message's last receipt among many receivers, and the arithmetic of the
/// targets. The bench's sources are compiled into this project (see the csproj).
/// </summary>
public sealed class RoomBenchTests
{
    [Fact]
    public void Room_defaults_to_100_members_window_64_and_the_redis_reference()
    {
        var o = LoadOptions.Parse(["room"]);

        Assert.Equal([100], o.Members);
        Assert.Equal(64, o.Window);
        Assert.True(o.Redis);
        Assert.Equal([true], o.TlsRuns);
    }

    [Fact]
    public void Room_takes_members_window_tls_both_and_leaves_redis_out_on_request()
    {
        var o = LoadOptions.Parse(["room", "--members", "20", "-w", "8", "--tls", "both", "--no-redis"]);

        Assert.Equal([20], o.Members);
        Assert.Equal(8, o.Window);
        Assert.Equal([false, true], o.TlsRuns);
        Assert.False(o.Redis);
    }

    [Fact]
    public void Room_disk_defaults_to_rooms_of_2_and_500_and_20000_messages()
    {
        var o = LoadOptions.Parse(["room-disk"]);

        Assert.Equal([2, 500], o.Members);
        Assert.Equal(20_000, o.Messages);
        Assert.Equal(64, o.Window);
        Assert.False(o.Redis);
    }

    [Theory]
    [InlineData("room", "--members", "1")]
    [InlineData("room", "--members", "10,20")]
    [InlineData("room-disk", "--members", "2,70000")]
    [InlineData("room", "--no-flush")]
    [InlineData("room-disk", "--both")]
    [InlineData("room-disk", "--server", "127.0.0.1:5555")]
    [InlineData("room-disk", "--no-redis")]
    [InlineData("room-disk", "--tls", "both")]
    [InlineData("chat", "--no-redis")]
    [InlineData("room-disk", "--messages", "0")]
    public void Room_options_that_cannot_make_the_targets_figures_are_refused(params string[] args)
    {
        Assert.Throws<UsageException>(() => LoadOptions.Parse(args));
    }

    [Fact]
    public void Exactly_one_receipt_per_message_is_the_last_with_receivers_on_threads_of_their_own()
    {
        const int receivers = 8, messages = 20_000;
        var tracker = new LastReceiptTracker(receivers);
        var lastCounts = new int[messages + 1];

        Parallel.For(0, receivers, new ParallelOptions { MaxDegreeOfParallelism = receivers }, _ =>
        {
            for (ulong counter = 1; counter <= messages; counter++)
            {
                if (tracker.OnReceipt(counter)) Interlocked.Increment(ref lastCounts[counter]);
            }
        });

        Assert.All(lastCounts.Skip(1), c => Assert.Equal(1, c));
    }

    [Fact]
    public void A_slot_is_reused_by_the_message_a_ring_later_once_the_earlier_one_is_complete()
    {
        var tracker = new LastReceiptTracker(2);

        Assert.False(tracker.OnReceipt(5));
        Assert.True(tracker.OnReceipt(5));
        // Same slot, next lap of the ring: counted afresh.
        Assert.False(tracker.OnReceipt(5 + LastReceiptTracker.Slots));
        Assert.True(tracker.OnReceipt(5 + LastReceiptTracker.Slots));
    }

    [Fact]
    public void A_single_receiver_receipt_is_always_the_last()
    {
        var tracker = new LastReceiptTracker(1);

        Assert.True(tracker.OnReceipt(1));
        Assert.True(tracker.OnReceipt(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LastReceiptTracker(0));
    }

    [Theory]
    [InlineData(500_000, 1_000_000, 0.5, "met")]
    [InlineData(499_999, 1_000_000, 0.499999, "missed")]
    [InlineData(3_000_000, 1_000_000, 3.0, "met")]
    public void The_ratio_is_oc_over_redis_deliveries_and_half_meets_the_target(double oc, double redis, double ratio, string verdict)
    {
        double r = FanOutFigures.Ratio(oc, redis);

        Assert.Equal(ratio, r, 6);
        Assert.Equal(verdict, FanOutFigures.Verdict(r));
    }

    [Fact]
    public void Without_redis_deliveries_there_is_no_ratio()
    {
        Assert.True(double.IsNaN(FanOutFigures.Ratio(100, 0)));
        Assert.Equal("n/a", FanOutFigures.Verdict(FanOutFigures.Ratio(100, 0)));
    }

    [Fact]
    public void Bytes_per_message_is_the_growth_over_the_count()
    {
        Assert.Equal(114.0, FanOutFigures.BytesPerMessage(1_000, 1_000 + 2_280_000, 20_000));
        Assert.Equal(-0.5, FanOutFigures.BytesPerMessage(1_000, 990, 20));
        Assert.True(double.IsNaN(FanOutFigures.BytesPerMessage(0, 10, 0)));
    }
}
