using OC.CliClient.Chat;
using OC.CliClient.Terminal;

namespace OC.Tests.Cli;

public sealed class ChatPiecesTests
{
    [Fact]
    public void Backoff_doubles_from_half_a_second_to_ten_with_jitter_and_starts_over_after_a_reset()
    {
        var backoff = new Backoff(new Random(1));
        double[] expected = [0.5, 1, 2, 4, 8, 10, 10];
        foreach (double seconds in expected)
        {
            double delay = backoff.Next().TotalSeconds;
            Assert.InRange(delay, seconds * 0.75, seconds * 1.25);
        }

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalSeconds, 0.375, 0.625);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("red \u001b[31mtext", "red \uFFFD[31mtext")]
    [InlineData("bell\u0007", "bell\uFFFD")]
    [InlineData("two\nlines", "two\n    lines")]
    [InlineData("crlf\r\nlines", "crlf\n    lines")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("你好 🙂", "你好 🙂")]
    public void Message_text_cannot_drive_the_terminal(string text, string shown)
    {
        Assert.Equal(shown, MessageLines.SafeText(text));
    }

    [Fact]
    public void Json_output_keeps_chinese_readable()
    {
        string json = OutputJsonContext.Serialize(new MessageOutput(1, DateTimeOffset.UnixEpoch, 123456, 654321, "你好 \"q\""), OutputJsonContext.Default.MessageOutput);
        Assert.Equal("""{"seq":1,"time":"1970-01-01T00:00:00+00:00","from":123456,"to":654321,"text":"你好 \"q\""}""", json);
        string typed = OutputJsonContext.Serialize(new DeliveredEventOutput(42), OutputJsonContext.Default.DeliveredEventOutput);
        Assert.Equal("""{"type":"delivered","seq":42}""", typed);
    }
}
