using System.Text;
using OC.CliClient.Ui;

namespace OC.Tests.Cli;

/// <summary>The full-screen client's keys, input line, jump matching, settings and notification escapes.</summary>
public sealed class UiInputTests
{
    private static List<Key> Parse(string bytes) => new KeyParser().Feed(Encoding.UTF8.GetBytes(bytes));

    [Theory]
    [InlineData("\r", "Enter")]
    [InlineData("\e\r", "AltEnter")]
    [InlineData("\x7f", "Backspace")]
    [InlineData("\t", "Tab")]
    [InlineData("\e[Z", "BackTab")]
    [InlineData("\e[A", "Up")]
    [InlineData("\eOB", "Down")]
    [InlineData("\e[1;5C", "Right")]
    [InlineData("\e[5~", "PageUp")]
    [InlineData("\e[6~", "PageDown")]
    [InlineData("\e[3~", "Delete")]
    [InlineData("\e[1~", "Home")]
    [InlineData("\e[F", "End")]
    [InlineData("\eOP", "F1")]
    [InlineData("\e[11~", "F1")]
    [InlineData("\eOQ", "F2")]
    [InlineData("\e[21~", "F10")]
    [InlineData("\e[I", "FocusIn")]
    [InlineData("\e[O", "FocusOut")]
    [InlineData("\e", "Escape")]
    public void Terminal_sequences_are_the_keys_they_stand_for(string bytes, string kind)
    {
        var key = Assert.Single(Parse(bytes));
        Assert.Equal(kind, key.Kind.ToString());
    }

    [Fact]
    public void Control_letters_and_utf8_text_are_keys_even_split_across_reads()
    {
        Assert.Equal('k', Assert.Single(Parse("\x0b")).Letter);
        Assert.Equal('c', Assert.Single(Parse("\x03")).Letter);

        var parser = new KeyParser();
        var keys = new List<Key>();
        foreach (byte b in Encoding.UTF8.GetBytes("a你🎉")) keys.AddRange(parser.Feed([b]));

        // A sequence split after its introducer waits for the rest (a lone ESC at the end of a read is the Escape key).
        keys.AddRange(parser.Feed("\e["u8));
        keys.AddRange(parser.Feed("5~"u8));
        Assert.Equal(["a", "你", "🎉", "PageUp"], keys.Select(k => k.ToString()));
    }

    [Fact]
    public void A_bracketed_paste_is_one_key_with_its_line_breaks_and_escapes_inside_kept_as_text()
    {
        var parser = new KeyParser();
        var first = parser.Feed(Encoding.UTF8.GetBytes("\e[200~line one\r\nline \e[31mtwo"));
        Assert.Empty(first);
        var key = Assert.Single(parser.Feed(Encoding.UTF8.GetBytes("\e[201~x")[..6]));
        Assert.Equal(KeyKind.Paste, key.Kind);
        Assert.Equal("line one\r\nline \e[31mtwo", key.Text);
    }

    [Fact]
    public void The_input_line_edits_remembers_lines_and_takes_line_breaks()
    {
        var input = new InputLine();
        foreach (char c in "helo") input.Handle(Key.Char(c.ToString()));
        input.Handle(new Key(KeyKind.Left));
        input.Handle(Key.Char("l"));
        Assert.Equal("hello", input.Text);
        input.Handle(new Key(KeyKind.End));
        input.Handle(new Key(KeyKind.AltEnter));
        input.Handle(new Key(KeyKind.Paste, "a\r\nb"));
        Assert.Equal("hello\na\nb", input.Text);
        Assert.Equal(3, input.LineCount);
        Assert.Equal("hello\na\nb", input.Take());
        Assert.True(input.IsEmpty);

        input.Handle(Key.Char("x"));
        input.Take();
        input.Handle(new Key(KeyKind.Up));
        Assert.Equal("x", input.Text);
        input.Handle(new Key(KeyKind.Up));
        Assert.Equal("hello\na\nb", input.Text);
        input.Handle(new Key(KeyKind.Down));
        input.Handle(new Key(KeyKind.Down));
        Assert.Equal("", input.Text);

        input.Set("one two");
        input.Handle(Key.Ctrl('w'));
        Assert.Equal("one ", input.Text);
        input.Handle(new Key(KeyKind.Backspace));
        input.Handle(Key.Ctrl('a'));
        input.Handle(new Key(KeyKind.Delete));
        Assert.Equal("ne", input.Text);
    }

    [Fact]
    public void A_long_input_line_scrolls_to_keep_the_cursor_in_view()
    {
        var input = new InputLine();
        input.Set(new string('a', 30) + "END");
        var (rows, column, row) = input.View(10, 1);
        Assert.Equal(0, row);
        Assert.True(column < 10);
        Assert.EndsWith("END", Assert.Single(rows), StringComparison.Ordinal);
    }

    [Fact]
    public void The_jump_matches_in_order_and_prefers_starts_of_names()
    {
        Assert.NotNull(Fuzzy.Score("bb", "bob"));
        Assert.Null(Fuzzy.Score("bx", "bob"));
        Assert.Null(Fuzzy.Score("ob b", "bob"));
        string[] names = ["carol 258373", "bob 965269", "robert 123456", "Bobby 111111"];
        var ranked = Fuzzy.Rank("bob", names, n => n);
        Assert.Equal("bob 965269", ranked[0]);
        Assert.DoesNotContain("carol 258373", ranked);
        Assert.Equal(["robert 123456"], Fuzzy.Rank("1234", names, n => n));
    }

    [Fact]
    public void Conversation_rows_are_sanitised_wrapped_and_separated_by_day()
    {
        long day1 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        long day2 = day1 + (long)TimeSpan.FromDays(1).TotalMilliseconds;
        var entries = new List<Entry>
        {
            new() { Seq = 1, TimeUnixMs = day1, From = 2, Text = "evil \e[2J\u202Egnp.exe" },
            new() { Seq = 2, TimeUnixMs = day2, From = 1, Text = "a reply long enough to be wrapped in a narrow pane", Delivered = true },
        };
        var rows = ConversationText.Rows(entries, me: 1, n => "bob", width: 30);
        Assert.Contains("─", rows[0].Text, StringComparison.Ordinal);
        Assert.Contains("bob: evil \uFFFD[2J<U+202E>gnp.exe", ConversationText.Rows(entries, 1, n => "bob", 80)[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(rows, r => r.Text.Contains('\e', StringComparison.Ordinal));
        int second = rows.FindIndex(2, r => r.Text.Contains('─', StringComparison.Ordinal));
        Assert.Contains("you: a reply", rows[second + 1].Text, StringComparison.Ordinal);
        Assert.True(rows.Count >= 5);
        Assert.All(rows, r => Assert.True(CellWidth.Of(r.Text) <= 30, r.Text));
        Assert.EndsWith("✓", rows[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_conversation_keeps_each_message_once_and_puts_older_pages_first()
    {
        var c = new Conversation(654321, "bob");
        byte[] id = [1, 2, 3];
        Assert.True(c.Add(new Entry { Seq = 0, From = 1, Text = "typed here", MessageId = id }));
        Assert.True(c.Add(new Entry { Seq = 7, From = 654321, Text = "live" }));
        Assert.False(c.Add(new Entry { Seq = 7, From = 654321, Text = "live" }));
        c.AddOlder([new Entry { Seq = 3, Text = "old" }, new Entry { Seq = 5, Text = "typed here", MessageId = [1, 2, 3] }]);
        Assert.Equal(["old", "typed here", "live"], c.Entries.Select(e => e.Text));
        Assert.Equal(3UL, c.OldestSeq);
    }

    [Fact]
    public void Notification_escapes_carry_no_control_character_from_the_message()
    {
        string escapes = Notifier.Escapes("oc", "alice: hi\a\e]9;owned\e\\ there");
        Assert.StartsWith("\a\e]9;oc: alice: hi", escapes, StringComparison.Ordinal);
        // Only our own BEL, ESC ] and ST: the message's are U+FFFD.
        Assert.Equal(1, escapes.Count(c => c == '\a'));
        Assert.Equal(4, escapes.Count(c => c == '\e'));
        Assert.Contains("\e]777;notify;oc;alice: hi", escapes, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("notify = off\n", false)]
    [InlineData("# comment\nNotify=OFF # loud\n", false)]
    [InlineData("notify = on\nfuture = 1\n", true)]
    public void Settings_read_the_notify_key(string? text, bool notify)
    {
        Assert.Equal(notify, UiSettings.Parse(text).Notify);
    }
}
