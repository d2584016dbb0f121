using Microsoft.Extensions.Time.Testing;
using OC.Appliance.Net;
using OC.Protocol.Framing;

namespace OC.Tests.Unit;

[CollectionDefinition(nameof(LargeArraysTests), DisableParallelization = true)]
public sealed class LargeArraysCollection;

/// <summary>LargeArrays is one per process: these tests run alone and start from an empty pool.</summary>
[Collection(nameof(LargeArraysTests))]
public sealed class LargeArraysTests
{
    private const int MiB = 1024 * 1024;

    public LargeArraysTests()
    {
        LargeArrays.Trim();
        LargeArrays.Trim();
    }

    [Fact]
    public void A_returned_array_is_handed_out_again_for_the_same_size()
    {
        var array = LargeArrays.Rent(MiB - 100);
        Assert.Equal(MiB, array.Length);
        LargeArrays.Return(array);
        Assert.Equal(MiB, LargeArrays.KeptBytes);
        Assert.Same(array, LargeArrays.Rent(MiB));
        Assert.Equal(0, LargeArrays.KeptBytes);
    }

    [Fact]
    public void An_array_unused_for_a_whole_trim_period_is_let_go()
    {
        LargeArrays.Return(LargeArrays.Rent(MiB));
        Assert.Equal(0, LargeArrays.Trim()); // returned since the last trim: kept
        Assert.Equal(MiB, LargeArrays.KeptBytes);
        Assert.Equal(MiB, LargeArrays.Trim()); // not used since: let go
        Assert.Equal(0, LargeArrays.KeptBytes);
    }

    [Fact]
    public void At_most_16_MiB_are_kept_and_the_rest_is_let_go_at_once()
    {
        var arrays = Enumerable.Range(0, 20).Select(_ => LargeArrays.Rent(MiB)).ToList();
        foreach (var array in arrays) LargeArrays.Return(array);
        Assert.Equal(LargeArrays.MaxKeptBytes, LargeArrays.KeptBytes);
        Assert.Equal(4 * MiB, LargeArrays.Trim());
    }

    [Fact]
    public void A_byte_buffer_s_large_array_comes_from_and_goes_back_to_the_large_pool()
    {
        var buffer = new ByteBuffer();
        buffer.Write(new byte[300 * 1024]);
        Assert.Equal(512 * 1024, buffer.Capacity);
        buffer.Release();
        Assert.Equal(512 * 1024, LargeArrays.KeptBytes);
    }

    [Fact]
    public void A_collection_follows_8_MiB_let_go_at_most_once_a_minute()
    {
        var time = new FakeTimeProvider();
        int collections = 0;
        var trim = new MemoryTrim(time, () => collections++);

        LetGo(4);
        trim.Tick();
        Assert.Equal(0, collections); // 4 MiB: not worth a collection yet

        LetGo(4);
        trim.Tick();
        Assert.Equal(1, collections); // 8 MiB in all

        LetGo(16);
        time.Advance(TimeSpan.FromSeconds(59));
        trim.Tick();
        Assert.Equal(1, collections); // within the minute: waits

        time.Advance(TimeSpan.FromSeconds(1));
        trim.Tick();
        Assert.Equal(2, collections);
        Assert.Equal(2, trim.Collections);

        time.Advance(TimeSpan.FromMinutes(5));
        trim.Tick();
        Assert.Equal(2, collections); // nothing let go since: no collection
    }

    [Fact]
    public void The_C_heap_is_trimmed_after_a_thousand_connections_closed_at_most_once_a_minute()
    {
        var time = new FakeTimeProvider();
        long closed = 0;
        int trims = 0;
        var trim = new MemoryTrim(time, () => { }, () => closed, () => trims++);

        closed = 999;
        trim.Tick();
        Assert.Equal(0, trims); // a steady trickle of closes costs nothing

        closed = 1_000;
        trim.Tick();
        Assert.Equal(1, trims);

        closed = 5_000;
        time.Advance(TimeSpan.FromSeconds(59));
        trim.Tick();
        Assert.Equal(1, trims); // within the minute: waits

        time.Advance(TimeSpan.FromSeconds(1));
        trim.Tick();
        Assert.Equal(2, trims);

        time.Advance(TimeSpan.FromMinutes(5));
        closed = 5_999;
        trim.Tick();
        Assert.Equal(2, trims); // fewer than a thousand since the last trim
        Assert.Equal(2, trim.NativeTrims);
    }

    [Fact]
    public void After_a_burst_of_releases_the_C_heap_is_trimmed_at_the_first_quiet_period()
    {
        var time = new FakeTimeProvider();
        long released = 0;
        int trims = 0, collections = 0;
        var trim = new MemoryTrim(time, () => collections++, () => released, () => trims++);

        released = 1_500;
        trim.Tick();
        Assert.Equal(1, trims);
        Assert.Equal(0, collections); // still coming in: the managed heap is left alone

        // A burst of handshakes goes on: within the minute, not trimmed again.
        released = 4_000;
        time.Advance(MemoryTrim.Period);
        trim.Tick();
        Assert.Equal(1, trims);

        // It stopped: the next period with no release trims, before the minute is out, after one
        // collection for the burst's managed garbage.
        time.Advance(MemoryTrim.Period);
        trim.Tick();
        Assert.Equal(2, trims);
        Assert.Equal(1, collections);

        time.Advance(MemoryTrim.Period);
        trim.Tick();
        Assert.Equal(2, trims); // nothing new since
        Assert.Equal(1, collections);
    }

    [Fact]
    public void Trimming_the_C_heap_for_real_does_not_fail()
    {
        // glibc here; elsewhere (musl, Windows) it is a no-op by design.
        OC.Appliance.Net.NativeHeap.Trim();
        OC.Appliance.Net.NativeHeap.Trim();
        var trim = new MemoryTrim(new FakeTimeProvider(), () => { }, () => 10_000);
        trim.Tick();
        Assert.Equal(1, trim.NativeTrims);
    }

    /// <summary>Returns <paramref name="mib"/> one-MiB arrays and lets a trim period pass, so the next trim lets them go.</summary>
    private static void LetGo(int mib)
    {
        var arrays = Enumerable.Range(0, mib).Select(_ => LargeArrays.Rent(MiB)).ToList();
        foreach (var array in arrays) LargeArrays.Return(array);
        Assert.Equal(0, LargeArrays.Trim());
    }
}
