using OC.CliClient.Terminal;

namespace OC.Tests.Cli;

public sealed class LineEditorTests
{
    private const string Erase = "\r\u001b[J";

    private static ConsoleKeyInfo Char(char c) => new(c, ConsoleKey.NoName, false, false, false);

    private static ConsoleKeyInfo Key(ConsoleKey key, char c = '\0', bool control = false) => new(c, key, false, false, control);

    private static string Type(LineEditor editor, string text, int columns = 80) =>
        string.Concat(text.Select(c => editor.Key(Char(c), columns).Output));

    [Fact]
    public void Typed_characters_are_echoed_and_Enter_submits_the_line_and_clears_it()
    {
        var editor = new LineEditor("alice> ");
        Assert.Equal("alice> ", editor.Draw());
        Assert.Equal("hi", Type(editor, "hi"));

        var step = editor.Key(Key(ConsoleKey.Enter, '\r'), 80);
        Assert.Equal(EditorAction.Submit, step.Action);
        Assert.Equal("hi", step.Line);
        Assert.Equal(Erase + "alice> ", step.Output);
        Assert.Equal("", editor.Text);
    }

    [Fact]
    public void A_line_printed_while_typing_goes_above_and_the_typed_text_is_drawn_again()
    {
        var editor = new LineEditor("alice> ");
        Type(editor, "half a sen");
        Assert.Equal(Erase + "* bob is online\r\nalice> half a sen", editor.PrintAbove("* bob is online", 80));
        Assert.Equal(Erase + "[18:00] bob → you: two\r\n    lines\r\nalice> half a sen", editor.PrintAbove("[18:00] bob → you: two\n    lines", 80));
        Assert.Equal("half a sen", editor.Text);
    }

    [Fact]
    public void Erasing_a_wrapped_input_line_goes_up_to_its_first_row()
    {
        var editor = new LineEditor("> ");
        Type(editor, new string('x', 18)); // 20 columns: exactly one full row at width 20, the cursor still on it
        Assert.Equal(Erase, editor.Erase(20));
        Type(editor, "y"); // 21 columns: the second row
        Assert.Equal("\r\u001b[1A\u001b[J", editor.Erase(20));
        Assert.Equal("\r\u001b[2A\u001b[J", editor.Erase(10));
    }

    [Fact]
    public void Wide_characters_count_two_columns()
    {
        Assert.Equal(4, LineEditor.DisplayWidth("你好"));
        Assert.Equal(2, LineEditor.DisplayWidth("🙂"));
        Assert.Equal(1, LineEditor.DisplayWidth("e\u0301")); // e + combining acute
        Assert.Equal(5, LineEditor.DisplayWidth("hello"));

        var editor = new LineEditor("> ");
        Type(editor, "你好你好你"); // 2 + 10 columns = 12 > 10: two rows
        Assert.Equal("\r\u001b[1A\u001b[J", editor.Erase(10));
    }

    [Fact]
    public void Backspace_removes_a_whole_emoji_and_redraws()
    {
        var editor = new LineEditor("> ");
        string typed = Type(editor, "a🙂");
        Assert.Equal("a🙂", typed); // The high surrogate alone is not written; the pair is, together.

        var step = editor.Key(Key(ConsoleKey.Backspace, '\u007f'), 80);
        Assert.Equal(EditorAction.None, step.Action);
        Assert.Equal(Erase + "> a", step.Output);
        Assert.Equal("a", editor.Text);

        editor.Key(Key(ConsoleKey.Backspace, '\b'), 80);
        editor.Key(Key(ConsoleKey.Backspace, '\b'), 80); // Nothing left to remove: no harm.
        Assert.Equal("", editor.Text);
    }

    [Fact]
    public void Control_keys_clear_end_or_interrupt()
    {
        var editor = new LineEditor("> ");
        Type(editor, "oops");
        Assert.Equal(Erase + "> ", editor.Key(Char('\u0015'), 80).Output); // Ctrl-U
        Assert.Equal("", editor.Text);

        Type(editor, "x");
        Assert.Equal(EditorAction.None, editor.Key(Char('\u0004'), 80).Action); // Ctrl-D ends only an empty line
        editor.Key(Char('\u0015'), 80);
        Assert.Equal(EditorAction.EndOfInput, editor.Key(Char('\u0004'), 80).Action);

        Assert.Equal(EditorAction.Interrupt, editor.Key(Char('\u0003'), 80).Action);
        Assert.Equal(EditorAction.Interrupt, editor.Key(Key(ConsoleKey.C, '\0', control: true), 80).Action);
    }

    [Fact]
    public void Arrows_and_other_control_characters_are_not_text()
    {
        var editor = new LineEditor("> ");
        Assert.Equal("", editor.Key(Key(ConsoleKey.LeftArrow), 80).Output);
        Assert.Equal("", editor.Key(Char('\u001b'), 80).Output);
        Assert.Equal("", editor.Text);
    }

    [Fact]
    public void A_new_prompt_keeps_the_typed_text()
    {
        var editor = new LineEditor("> ");
        Type(editor, "hi");
        Assert.Equal(Erase + "bob> hi", editor.SetPrompt("bob> ", 80));
    }
}
