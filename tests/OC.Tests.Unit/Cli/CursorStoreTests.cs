using OC.CliClient.Config;

namespace OC.Tests.Cli;

public sealed class CursorStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private CursorStore Store(string applianceId = "0123456789abcdef0123456789abcdef", uint number = 123456) =>
        new(new ConfigFolder(Path.Combine(_temp.Path, "oc")), applianceId, new ServerAddress("192.168.1.20", 6677), number);

    [Fact]
    public async Task A_missing_cursor_is_zero_and_a_saved_one_reads_back()
    {
        var store = Store();
        Assert.Equal(0ul, store.Load().Seq);
        Assert.Empty(store.Load().SeenAbove);

        await store.SaveAsync(42, [], CancellationToken.None);
        Assert.Equal(42ul, store.Load().Seq);
        Assert.Equal("42\n", File.ReadAllText(store.Path));
    }

    [Fact]
    public async Task The_file_never_goes_back()
    {
        var store = Store();
        await store.SaveAsync(50, [], CancellationToken.None);
        await store.SaveAsync(40, [], CancellationToken.None);
        Assert.Equal(50ul, store.Load().Seq);
    }

    [Fact]
    public async Task Two_processes_on_one_folder_keep_the_furthest_cursor_and_both_sets_of_seen_messages()
    {
        var first = Store();
        var second = Store();
        await first.SaveAsync(10, [12, 15], CancellationToken.None);
        await second.SaveAsync(13, [14], CancellationToken.None);

        var cursor = first.Load();
        Assert.Equal(13ul, cursor.Seq);
        Assert.Equal([14ul, 15ul], cursor.SeenAbove.Order());
        Assert.Equal("13\nseen 14 15\n", File.ReadAllText(first.Path));
    }

    [Fact]
    public async Task Concurrent_saves_lose_nothing()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => Store()).ToList();
        await Task.WhenAll(stores.Select((store, i) => Task.Run(async () =>
        {
            for (ulong seq = 1; seq <= 25; seq++) await store.SaveAsync((seq * 4) + (ulong)i, [], CancellationToken.None);
        })));
        Assert.Equal(103ul, stores[0].Load().Seq);
    }

    [Fact]
    public async Task The_cursor_file_has_mode_0600_and_is_per_appliance_and_user()
    {
        var store = Store();
        await store.SaveAsync(7, [], CancellationToken.None);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        }

        Assert.EndsWith("cursor-0123456789abcdef0123456789abcdef-123456.txt", store.Path, StringComparison.Ordinal);
        Assert.Equal(0ul, Store(number: 654321).Load().Seq);
        Assert.Equal(0ul, Store(applianceId: "ffffffffffffffffffffffffffffffff").Load().Seq);

        // An appliance without an id (or a strange one) still gets a file name that is just a name.
        Assert.Equal("cursor-.._.._etc-123456.txt", Path.GetFileName(Store(applianceId: "../../etc").Path));
        Assert.Equal("cursor-192.168.1.20_6677-123456.txt", Path.GetFileName(Store(applianceId: "").Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a number\n")]
    [InlineData("-5\n")]
    public void A_damaged_cursor_reads_as_zero(string contents)
    {
        var store = Store();
        Directory.CreateDirectory(Path.GetDirectoryName(store.Path)!);
        File.WriteAllText(store.Path, contents);
        Assert.Equal(0ul, store.Load().Seq);
    }

    [Fact]
    public void Seen_messages_at_or_below_the_cursor_and_garbage_are_ignored()
    {
        var store = Store();
        Directory.CreateDirectory(Path.GetDirectoryName(store.Path)!);
        File.WriteAllText(store.Path, "10\nseen 9 10 11 x 12\n");
        var cursor = store.Load();
        Assert.Equal(10ul, cursor.Seq);
        Assert.Equal([11ul, 12ul], cursor.SeenAbove.Order());
    }
}
