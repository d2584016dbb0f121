using OC.CliClient.Ui;

namespace OC.Tests.Cli;

/// <summary>The full-screen client's layout and cell buffer, without a terminal.</summary>
public sealed class UiLayoutTests
{
    [Theory]
    [InlineData(80, 24, false)]
    [InlineData(80, 24, true)]
    [InlineData(120, 40, true)]
    [InlineData(40, 8, true)]
    [InlineData(200, 60, false)]
    public void Panes_tile_the_screen_without_overlapping(int width, int height, bool files)
    {
        var layout = Layout.Compute(width, height, files, 1);
        var owner = new int[width, height];
        int pane = 0;
        foreach (var rect in new[] { layout.Header, layout.List, layout.Conversation, layout.Files, layout.Input, layout.Status })
        {
            pane++;
            for (int x = rect.X; x < rect.Right; x++)
            {
                for (int y = rect.Y; y < rect.Bottom; y++)
                {
                    Assert.InRange(x, 0, width - 1);
                    Assert.InRange(y, 0, height - 1);
                    Assert.True(owner[x, y] == 0, $"({x},{y}) is in panes {owner[x, y]} and {pane}");
                    owner[x, y] = pane;
                }
            }
        }

        // Every cell is a pane's, except one separator column right of the list (and left of the files).
        int free = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++) free += owner[x, y] == 0 ? 1 : 0;
        }

        Assert.Equal(layout.List.Height * ((files && layout.Conversation.Width > 0) ? 2 : 1), free);
    }

    [Fact]
    public void At_80x24_the_list_the_conversation_and_the_files_all_have_room()
    {
        var plain = Layout.Compute(80, 24, filesShown: false, inputLines: 1);
        Assert.Equal(new Rect(0, 0, 80, 1), plain.Header);
        Assert.Equal(20, plain.List.Width);
        Assert.Equal(59, plain.Conversation.Width);
        Assert.Equal(21, plain.Conversation.Height); // 24 less header, input and status.
        Assert.Equal(new Rect(0, 22, 80, 1), plain.Input);
        Assert.Equal(new Rect(0, 23, 80, 1), plain.Status);

        var files = Layout.Compute(80, 24, filesShown: true, inputLines: 1);
        Assert.True(files.Conversation.Width >= 30, files.ToString());
        Assert.True(files.Files.Width >= 22, files.ToString());
        Assert.Equal(80, files.Files.Right);
    }

    [Fact]
    public void A_multi_line_input_takes_up_to_three_rows_from_the_conversation()
    {
        Assert.Equal(2, Layout.Compute(80, 24, false, 2).Input.Height);
        Assert.Equal(3, Layout.Compute(80, 24, false, 9).Input.Height);
        Assert.Equal(19, Layout.Compute(80, 24, false, 9).Conversation.Height);
    }

    [Fact]
    public void A_terminal_too_small_is_said_so()
    {
        Assert.True(Layout.TooSmall(39, 24));
        Assert.True(Layout.TooSmall(80, 7));
        Assert.False(Layout.TooSmall(80, 24));
    }

    [Fact]
    public void Wide_characters_take_two_cells_and_are_never_cut_in_half()
    {
        var buffer = new CellBuffer(6, 1);
        Assert.Equal(6, buffer.Put(0, 0, "你好吗"));
        Assert.Equal("你好吗", buffer.Row(0));

        var narrow = new CellBuffer(6, 1);
        Assert.Equal(4, narrow.Put(0, 0, "你好吗", maxColumns: 5));
        Assert.Equal("你好  ", narrow.Row(0));

        // Overwriting the right half of a wide character blanks its left half.
        narrow.Put(1, 0, "x");
        Assert.Equal(" x好  ", narrow.Row(0));
    }

    [Fact]
    public void Fit_cuts_with_an_ellipsis_by_columns()
    {
        Assert.Equal("alice", CellWidth.Fit("alice", 5));
        Assert.Equal("ali…", CellWidth.Fit("alice", 4));
        Assert.Equal("你…", CellWidth.Fit("你好吗", 4));
        Assert.Equal(2, CellWidth.Of("🎉"));
        Assert.Equal(1, CellWidth.Of("e\u0301")); // A combining accent takes no column.
    }

    [Fact]
    public void The_renderer_sends_only_the_cells_that_changed_and_no_colour_under_NO_COLOR()
    {
        var renderer = new Renderer(colour: true);
        var first = new CellBuffer(10, 2);
        first.Put(0, 0, "hello", CellStyle.Green);
        string whole = renderer.Frame(first, null);
        Assert.Contains("\e[2J", whole, StringComparison.Ordinal);
        Assert.Contains("\e[0;32mhello", whole, StringComparison.Ordinal);

        var second = new CellBuffer(10, 2);
        second.Put(0, 0, "hello", CellStyle.Green);
        second.Put(0, 1, "x");
        string diff = renderer.Frame(second, (3, 1));
        Assert.DoesNotContain("hello", diff, StringComparison.Ordinal);
        Assert.Contains("\e[2;1H\e[0mx", diff, StringComparison.Ordinal);
        Assert.EndsWith("\e[2;4H\e[?25h", diff, StringComparison.Ordinal);

        var plain = new Renderer(colour: false).Frame(first, null);
        Assert.DoesNotContain("32m", plain, StringComparison.Ordinal);
        Assert.Contains("hello", plain, StringComparison.Ordinal);
    }
}
