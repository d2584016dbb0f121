using OC.Protocol.Messages;
using OC.Protocol.Framing;
using OC.Protocol.Client;
using System.Text.Json;
using OC.CliClient.Terminal;

namespace OC.Tests.Cli;

/// <summary>Issue 11, item 5: text from the network cannot reorder or hide what oc shows.</summary>
public sealed class VisibleTextTests
{
    [Theory]
    [InlineData(0x202A)] [InlineData(0x202B)] [InlineData(0x202C)] [InlineData(0x202D)] [InlineData(0x202E)]
    [InlineData(0x2066)] [InlineData(0x2067)] [InlineData(0x2068)] [InlineData(0x2069)]
    [InlineData(0x200E)] [InlineData(0x200F)] [InlineData(0x061C)]
    [InlineData(0x200B)] [InlineData(0x2060)] [InlineData(0xFEFF)] [InlineData(0x00AD)]
    public void Bidi_controls_and_invisible_format_characters_show_as_their_code_point(int codePoint)
    {
        string text = "a" + char.ConvertFromUtf32(codePoint) + "b";
        string shown = $"a<U+{codePoint:X4}>b";
        Assert.Equal(shown, MessageLines.Visible(text));
        Assert.Equal(shown, MessageLines.SafeText(text));
    }

    [Fact]
    public void The_tester_s_file_name_reads_as_typed()
    {
        Assert.Equal("photo <U+202E>gnp.exe", MessageLines.SafeText("photo \u202Egnp.exe"));
    }

    [Fact]
    public void A_format_character_beyond_the_BMP_shows_with_five_digits()
    {
        Assert.Equal("x<U+E0041>", MessageLines.Visible("x\U000E0041"));
    }

    [Theory]
    [InlineData("👩\u200D💻")] // ZWJ: emoji sequences.
    [InlineData("می\u200Cخواهم")] // ZWNJ: Persian.
    [InlineData("שלום hello")] // Right-to-left letters are not controls.
    [InlineData("你好 🙂 👍🏽")]
    public void Joiners_and_ordinary_text_stay_as_they_are(string text)
    {
        Assert.Equal(text, MessageLines.Visible(text));
        Assert.Equal(text, MessageLines.SafeText(text));
    }

    [Theory]
    [InlineData("red \u001b[31m", "red \uFFFD[31m")]
    [InlineData("a\u2028b\u0085", "a\uFFFDb\uFFFD")]
    [InlineData("two\nlines\tand a tab", "two\nlines\tand a tab")]
    public void Visible_keeps_line_breaks_and_tabs_and_blanks_out_other_controls(string text, string shown)
    {
        Assert.Equal(shown, MessageLines.Visible(text));
    }

    [Fact]
    public void An_unpaired_surrogate_becomes_a_replacement_character()
    {
        Assert.Equal("a\uFFFDb", MessageLines.Visible("a\uD800b"));
    }

    [Fact]
    public void SafeText_indents_continuation_lines_and_still_shows_format_characters()
    {
        Assert.Equal("one<U+202E>\n    <U+202E>two\n    three", MessageLines.SafeText("one\u202E\r\n\u202Etwo\rthree"));
    }

    [Fact]
    public void Every_text_line_is_made_visible_so_nicknames_are_too()
    {
        using var writer = new StringWriter();
        new Output(writer, json: false).Line("* \u202Eecila is online");
        Assert.Equal("* <U+202E>ecila is online" + Environment.NewLine, writer.ToString());
    }

    [Fact]
    public void A_text_result_is_made_visible_and_a_json_one_keeps_the_raw_text()
    {
        var value = new UserOutput(123456, "\u202Eecila", true, true);

        using var text = new StringWriter();
        new Output(text, json: false).Result(value, OutputJsonContext.Default.UserOutput, "123456  \u202Eecila");
        Assert.Equal("123456  <U+202E>ecila" + Environment.NewLine, text.ToString());

        using var json = new StringWriter();
        new Output(json, json: true).Result(value, OutputJsonContext.Default.UserOutput, "unused");
        Assert.DoesNotContain("<U+", json.ToString(), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.ToString());
        Assert.Equal("\u202Eecila", document.RootElement.GetProperty("nick").GetString());
    }

    [Fact]
    public void A_json_line_through_Line_is_written_as_it_is()
    {
        using var writer = new StringWriter();
        new Output(writer, json: true).Line("{\"nick\":\"\u202Eecila\"}");
        Assert.Equal("{\"nick\":\"\u202Eecila\"}" + Environment.NewLine, writer.ToString());
    }

    [Fact]
    public void Chat_lines_are_made_visible()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var console = new PlainChatConsole(new StringReader(""), stdout, stderr);
        console.Print("[18:00] \u2067bob → you: hi");
        console.Warn("\u202Eecila is not your friend");
        Assert.Equal("[18:00] <U+2067>bob → you: hi" + Environment.NewLine, stdout.ToString());
        Assert.Equal("oc: <U+202E>ecila is not your friend" + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public void An_error_line_from_the_network_is_one_visible_line()
    {
        var error = new OcErrorException(new ErrorReply(ErrorCode.InvalidArgument, 0, "bad name \u001b[2J\u202Egnp.exe\nsecond line"));
        string line = ErrorReport.OneLine(ErrorReport.Describe((Exception)error).Message);
        Assert.Equal("bad name \uFFFD[2J<U+202E>gnp.exe second line", line);
    }
}
