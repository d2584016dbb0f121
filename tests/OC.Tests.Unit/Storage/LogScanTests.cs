using System.Text;
using OC.Appliance.Backup;
using OC.Appliance.Storage.Messages;

namespace OC.Tests.Storage;

/// <summary>
/// The backup of a stopped appliance reads the message log's point without opening it
/// (Backup/LogScan.cs): the same point as the log itself for a whole log, and none (the message
/// worker decides) for a torn tail or another format.
/// </summary>
public sealed class LogScanTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogPath => Path.Combine(_dir.Path, MessageLog.FileName);

    private MessagesPoint WriteLog(int messages)
    {
        using var log = new MessageLog(_dir.Path);
        for (int n = 0; n < messages; n++)
        {
            // Longer texts now and then, so records straddle the scan's 1 MiB buffer.
            string text = n % 97 == 0 ? new string('x', 3000) : $"message {n}";
            log.Append(100_000 + n % 7, 100_001 + n % 5, Guid.NewGuid().ToByteArray(), Encoding.UTF8.GetBytes(text), 1_700_000_000_000 + n);
            if (n % 1000 == 999) log.Commit(flushToDisk: false);
        }
        log.Commit(flushToDisk: false);
        return MessagesPoint.Of(log);
    }

    [Fact]
    public void A_whole_log_gives_the_same_point_as_the_log_itself()
    {
        var expected = WriteLog(20_000);
        Assert.True(expected.Bytes > 1024 * 1024, "the log must be longer than the scan's buffer");
        Assert.Equal(expected, LogScan.TryWhole(LogPath));
    }

    [Fact]
    public void An_empty_log_gives_its_magic_and_no_messages()
    {
        var expected = WriteLog(0);
        Assert.Equal(new MessagesPoint(8, 0, 0), LogScan.TryWhole(LogPath));
        Assert.Equal(expected, LogScan.TryWhole(LogPath));
    }

    [Fact]
    public void A_torn_tail_a_foreign_file_or_no_file_is_left_to_the_message_worker()
    {
        Assert.Null(LogScan.TryWhole(LogPath));
        WriteLog(10);
        using (var file = new FileStream(LogPath, FileMode.Append)) file.Write([1, 2, 3]);
        Assert.Null(LogScan.TryWhole(LogPath));
        File.WriteAllText(LogPath, "not a message log at all");
        Assert.Null(LogScan.TryWhole(LogPath));
    }
}
