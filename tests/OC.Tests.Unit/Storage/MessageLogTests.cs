using OC.Appliance.Chat;
using System.Text;
using OC.Appliance.Storage.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Storage;

public sealed class MessageLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogPath => _dir.Sub(MessageLog.FileName);

    private static byte[] Id(int n) => new Guid(n, 0, 0, new byte[8]).ToByteArray();

    private static AppendResult Append(MessageLog log, int from, int to, int n, string? text = null) =>
        log.Append(from, to, Id(n), Encoding.UTF8.GetBytes(text ?? $"message {n}"), 1_700_000_000_000 + n);

    private static List<ChatMessage> Sync(MessageLog log, int user, ulong after = 0)
    {
        var page = new SyncPage(user, after);
        log.ReadForUser(user, after, ref page);
        var messages = new List<ChatMessage>();
        var span = page.Frames.Span;
        while (FrameParser.TryReadFrame(span, Frame.DefaultMaxPayload, out var header) == FrameStatus.Complete)
        {
            Assert.True(ChatMessage.TryRead(FrameParser.Payload(span, header), out var m));
            messages.Add(m);
            span = span[header.TotalLength..];
        }
        return messages;
    }

    [Fact]
    public void Committed_messages_are_read_back_after_reopening_and_seq_continues()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Assert.Equal(1ul, Append(log, 100001, 100002, 1, "你好 🙂").Seq);
            Assert.Equal(2ul, Append(log, 100002, 100001, 2).Seq);
            log.Commit(flushToDisk: true);
        }
        using var again = new MessageLog(_dir.Path);
        Assert.Equal(2, again.Count);
        var messages = Sync(again, 100001);
        Assert.Equal(["你好 🙂", "message 2"], messages.Select(m => m.Text));
        Assert.Equal([1ul, 2ul], messages.Select(m => m.Seq));
        Assert.Equal(3ul, Append(again, 100001, 100002, 3).Seq);
    }

    [Fact]
    public void A_resent_id_returns_the_stored_message_even_after_reopening()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            Append(log, 100001, 100002, 7);
            log.Commit(true);
        }
        using var again = new MessageLog(_dir.Path);
        var resent = Append(again, 100001, 100002, 7);
        Assert.True(resent.Duplicate);
        Assert.Equal(1ul, resent.Seq);
        Assert.False(again.HasStaged);
        // The same id from another sender is another message.
        Assert.False(Append(again, 100002, 100001, 7).Duplicate);
    }

    [Fact]
    public void A_rolled_back_group_leaves_no_trace()
    {
        using var log = new MessageLog(_dir.Path);
        Append(log, 100001, 100002, 1);
        log.Commit(true);
        Append(log, 100001, 100002, 2);
        Append(log, 100001, 100002, 3);
        log.Rollback();
        Assert.Equal(1, log.Count);
        Assert.Single(Sync(log, 100002));
        // The ids of the rolled-back messages are free again, and seq resumes at 2.
        var retried = Append(log, 100001, 100002, 2);
        Assert.False(retried.Duplicate);
        Assert.Equal(2ul, retried.Seq);
        log.Commit(true);
        Assert.Equal([1ul, 2ul], Sync(log, 100002).Select(m => m.Seq));
    }

    [Fact]
    public void A_torn_tail_is_cut_off_and_the_whole_messages_stay()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            for (int i = 1; i <= 3; i++) Append(log, 100001, 100002, i);
            log.Commit(true);
        }
        long good = new FileInfo(LogPath).Length;
        using (var file = new FileStream(LogPath, FileMode.Append))
        {
            // Half of a fourth record, as a power cut mid-write leaves it.
            file.Write([80, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        }

        using var again = new MessageLog(_dir.Path);
        Assert.Equal(3, again.Count);
        Assert.Equal(good, new FileInfo(LogPath).Length);
        Assert.Equal(4ul, Append(again, 100001, 100002, 4).Seq);
    }

    [Fact]
    public void Damage_in_the_middle_refuses_to_open_and_changes_nothing()
    {
        using (var log = new MessageLog(_dir.Path))
        {
            for (int i = 1; i <= 3; i++) Append(log, 100001, 100002, i);
            log.Commit(true);
        }
        var bytes = File.ReadAllBytes(LogPath);
        // Flip a byte of the first record's text: its CRC fails, and two whole records follow.
        bytes[8 + MessageRecord.HeaderSize + 2] ^= 0xFF;
        File.WriteAllBytes(LogPath, bytes);

        var e = Assert.Throws<InvalidDataException>(() => new MessageLog(_dir.Path));
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(LogPath));
    }

    [Fact]
    public void History_pages_a_conversation_and_nothing_else()
    {
        using var log = new MessageLog(_dir.Path);
        for (int i = 1; i <= 10; i++) Append(log, i % 2 == 0 ? 100001 : 100002, i % 2 == 0 ? 100002 : 100001, i);
        Append(log, 100003, 100001, 11);
        log.Commit(true);

        var buffer = new ByteBuffer();
        var history = log.Conversation(100002, 100001, beforeSeq: 0, limit: 4);
        var writer = new HistoryPageWriter(buffer, 9, history.More, history.Count);
        history.Read(ref writer);
        writer.End();
        Assert.Equal(FrameStatus.Complete, FrameParser.TryReadFrame(buffer.Span, Frame.DefaultMaxPayload, out var header));
        Assert.Equal(FrameType.HistoryPage, header.Type);
        Assert.True(HistoryPage.TryRead(FrameParser.Payload(buffer.Span, header), out bool more, out var page));
        Assert.True(more);
        Assert.Equal([7ul, 8ul, 9ul, 10ul], page.Select(m => m.Seq));
    }

    [Fact]
    public void A_file_that_is_not_a_message_log_is_refused()
    {
        File.WriteAllText(LogPath, "not a log at all");
        Assert.Throws<InvalidDataException>(() => new MessageLog(_dir.Path));
    }
}
