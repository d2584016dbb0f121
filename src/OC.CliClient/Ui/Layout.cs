namespace OC.CliClient.Ui;

/// <summary>
/// Where each pane goes for a terminal size: a header row, the conversation list on the left,
/// the conversation in the middle, the files panel on the right when shown, the input line (1 to
/// 3 rows) and a status row at the bottom. Panes are separated by a column of '│'. Pure, so the
/// layout at 80×24 (and at any size) is tested without a terminal.
/// </summary>
internal sealed record Layout(Rect Header, Rect List, Rect Conversation, Rect Files, Rect Input, Rect Status)
{
    /// <summary>The smallest terminal drawn; anything smaller shows a "too small" line.</summary>
    public const int MinWidth = 40;
    public const int MinHeight = 8;

    public static bool TooSmall(int width, int height) => width < MinWidth || height < MinHeight;

    public static Layout Compute(int width, int height, bool filesShown, int inputLines)
    {
        width = Math.Max(width, MinWidth);
        height = Math.Max(height, MinHeight);
        int input = Math.Clamp(inputLines, 1, 3);
        int body = height - 2 - input; // Header and status rows.
        int list = Math.Clamp(width / 4, 14, 28);
        int files = filesShown ? Math.Clamp(width / 3, 22, 40) : 0;
        int conversation = width - list - 1 - (filesShown ? files + 1 : 0);
        if (conversation < 20 && filesShown)
        {
            // A narrow terminal: the files panel takes the conversation's place while it is shown.
            files = width - list - 1;
            conversation = 0;
        }

        var header = new Rect(0, 0, width, 1);
        var listRect = new Rect(0, 1, list, body);
        var conversationRect = new Rect(list + 1, 1, conversation, body);
        var filesRect = filesShown ? new Rect(width - files, 1, files, body) : new Rect(width, 1, 0, body);
        var inputRect = new Rect(0, 1 + body, width, input);
        var status = new Rect(0, height - 1, width, 1);
        return new Layout(header, listRect, conversationRect, filesRect, inputRect, status);
    }
}
