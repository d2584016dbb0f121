using OC.Protocol.IO;
using OC.Tests.Storage;

namespace OC.Tests.Unit;

/// <summary>
/// The .part appender on a real file, with O_DIRECT (its aligned stage, the padded tail that is
/// cut back) and without: whatever the sizes of the pieces and wherever it is flushed or reopened,
/// the file holds exactly the bytes appended.
/// </summary>
public sealed class FileAppenderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] RandomBytes(int n, int seed)
    {
        var data = new byte[n];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pieces_of_any_size_flushed_anywhere_end_up_in_the_file_byte_for_byte(bool direct)
    {
        string path = _dir.Sub("a.part");
        var data = RandomBytes(3 * 1024 * 1024 + 777, seed: 1);
        int[] pieces = [1, 4095, 4097, 262_144, 100_000, 4096, 262_144, 3, 262_144, 262_144, 262_144, 200_001];
        using var writer = FileAppender.Open(path, 0, direct);
        int at = 0, i = 0;
        while (at < data.Length)
        {
            int n = Math.Min(pieces[i % pieces.Length], data.Length - at);
            writer.Append(data.AsSpan(at, n));
            at += n;
            Assert.Equal(at, writer.Length);
            if (i % 3 == 2)
            {
                writer.Flush(toDisk: i % 2 == 0);
                AssertFileIs(path, data.AsSpan(0, at));
            }
            i++;
        }
        writer.Flush(toDisk: true);
        AssertFileIs(path, data);
    }

    [Theory]
    [InlineData(true, 5000)]
    [InlineData(true, 1024 * 1024)]
    [InlineData(true, 1024 * 1024 + 1)]
    [InlineData(false, 5000)]
    public void Reopened_at_its_length_it_continues_where_the_file_ends(bool direct, int first)
    {
        string path = _dir.Sub("b.part");
        var data = RandomBytes(first + 700_000, seed: 2);
        using (var writer = FileAppender.Open(path, 0, direct))
        {
            writer.Append(data.AsSpan(0, first / 2));
            writer.Append(data.AsSpan(first / 2, first - first / 2));
            writer.Flush(toDisk: true);
        }
        AssertFileIs(path, data.AsSpan(0, first));

        using (var writer = FileAppender.Open(path, first, direct))
        {
            Assert.Equal(first, writer.Length);
            for (int at = first; at < data.Length; at += 262_144)
            {
                writer.Append(data.AsSpan(at, Math.Min(262_144, data.Length - at)));
            }
            writer.Flush(toDisk: true);
        }
        AssertFileIs(path, data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void After_its_buffers_are_released_it_goes_on_from_the_same_byte(bool direct)
    {
        string path = _dir.Sub("r.part");
        var data = RandomBytes(9 * 1024 * 1024 + 12_345, seed: 5);
        using var writer = FileAppender.Open(path, 0, direct);
        int at = 0;
        foreach (int piece in new[] { 5_000, 4 * 1024 * 1024 + 3, 262_144, 1, 4 * 1024 * 1024 })
        {
            writer.Append(data.AsSpan(at, piece));
            at += piece;
            writer.ReleaseBuffers();
            AssertFileIs(path, data.AsSpan(0, at));
        }
        writer.Append(data.AsSpan(at));
        writer.Flush(toDisk: true);
        AssertFileIs(path, data);
    }

    [Fact]
    public void Opening_at_a_shorter_length_cuts_off_what_was_never_confirmed()
    {
        string path = _dir.Sub("c.part");
        var data = RandomBytes(10_000, seed: 3);
        File.WriteAllBytes(path, data);
        using (var writer = FileAppender.Open(path, 6_000, allowDirect: true))
        {
            writer.Append(data.AsSpan(6_000, 10));
            writer.Flush(toDisk: false);
        }
        AssertFileIs(path, data.AsSpan(0, 6_010));
    }

    [Fact]
    public void Attached_to_a_file_stream_it_hands_the_stream_back_usable_for_odd_sized_reads()
    {
        string path = _dir.Sub("e.part");
        var data = RandomBytes(600_001, seed: 4);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1);
        stream.Write(data, 0, 1_001);
        using (var appender = FileAppender.Attach(stream.SafeFileHandle, path, 1_001, allowDirect: true))
        {
            appender.Append(data.AsSpan(1_001));
            appender.Flush(toDisk: false);
        }

        // With O_DIRECT left on, a read at an unaligned offset into an unaligned buffer fails (EINVAL).
        stream.Position = 3;
        var back = new byte[data.Length - 3];
        stream.ReadExactly(back);
        Assert.True(data.AsSpan(3).SequenceEqual(back));
    }

    [Fact]
    public void On_linux_the_temp_folder_takes_direct_writes()
    {
        // Otherwise the direct path above would silently test the buffered one twice.
        using var writer = FileAppender.Open(_dir.Sub("d.part"), 0, allowDirect: true);
        Assert.Equal(OperatingSystem.IsLinux(), writer.IsDirect);
    }

    private static void AssertFileIs(string path, ReadOnlySpan<byte> expected)
    {
        var actual = File.ReadAllBytes(path);
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.SequenceEqual(actual), $"{path}: content differs from what was appended");
    }
}
