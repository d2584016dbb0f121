using System.Globalization;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Messages;

namespace OC.CliClient.Ui;

// Drawing: the whole screen into a fresh CellBuffer after every batch of changes; the Renderer
// sends what differs from the frame before.
internal sealed partial class UiApp
{
    public const string KeyHints = "Tab panes · Ctrl-K jump · F2 files · F1 keys · Ctrl-Q quit";

    /// <summary>The keys, as F1 shows them (and the README lists them).</summary>
    public static readonly string[] HelpLines =
    [
        "Enter          send the line (in the list: open the conversation)",
        "Alt-Enter      new line in the message; pasting keeps line breaks",
        "Up / Down      earlier lines typed (input); move (list, files)",
        "Tab, Shift-Tab next / previous pane: input, list, conversation, files",
        "Ctrl-K         jump to a conversation by name, number or place",
        "Ctrl-N, Ctrl-P next / previous conversation",
        "PageUp/PageDn  scroll; PageUp past the top loads older messages",
        "F2 or Ctrl-T   show / hide the files panel",
        "  Enter or d   download the selected file into this folder",
        "  s, /send P   send a file (a path; Tab completes it)",
        "a / x          accept / decline the request or invitation selected",
        "Ctrl-L         redraw the screen",
        "Ctrl-Q, F10    quit (/quit too); Ctrl-C quits with exit code 130",
        "F1 or ?        this help (any key closes it)",
    ];

    private int _rowsTotal;
    private int _conversationRowsShown = 10;

    private readonly record struct ListRow(Conversation? Conversation, FriendRequestEntry? Request, RoomInvitation? Invitation);

    /// <summary>The list's selectable rows: the conversations, then the friend requests, then the room invitations.</summary>
    private List<ListRow> ListRows()
    {
        var rows = Ordered().Select(c => new ListRow(c, null, null)).ToList();
        rows.AddRange(_requests.Select(r => new ListRow(null, r, null)));
        rows.AddRange(_invitations.Select(i => new ListRow(null, null, i)));
        return rows;
    }

    private int ConversationRows() => Math.Max(1, _conversationRowsShown);

    private void Draw()
    {
        if (_terminal is null) return;
        var buffer = Compose(out var cursor);
        _terminal.Write(_renderer.Frame(buffer, cursor));
    }

    /// <summary>The screen as cells, and where the cursor goes (null: hidden).</summary>
    private CellBuffer Compose(out (int X, int Y)? cursor)
    {
        var buffer = new CellBuffer(_width, _height);
        cursor = null;
        if (Layout.TooSmall(_width, _height))
        {
            buffer.Put(0, 0, CellWidth.Fit($"oc: the terminal is too small ({_width}×{_height}; {Layout.MinWidth}×{Layout.MinHeight} at least)", _width));
            return buffer;
        }

        int inputLines = _overlay == Overlay.SendPath ? 1 : _input.LineCount;
        var layout = Layout.Compute(_width, _height, _filesShown, inputLines);
        DrawHeader(buffer, layout.Header);
        DrawList(buffer, layout.List);
        for (int y = layout.List.Y; y < layout.List.Bottom; y++)
        {
            buffer.Put(layout.List.Right, y, "│", CellStyle.Dim);
            if (_filesShown && layout.Conversation.Width > 0) buffer.Put(layout.Files.X - 1, y, "│", CellStyle.Dim);
        }

        if (layout.Conversation.Width > 0) DrawConversation(buffer, layout.Conversation);
        if (_filesShown) DrawFiles(buffer, layout.Files);
        cursor = DrawInput(buffer, layout.Input);
        DrawStatus(buffer, layout.Status);
        if (_overlay == Overlay.Help) DrawHelp(buffer);
        if (_overlay == Overlay.Jump) cursor = DrawJump(buffer);
        return buffer;
    }

    private void DrawHeader(CellBuffer buffer, Rect area)
    {
        var style = CellStyle.Reverse;
        string name = MessageLines.Visible(_applianceName ?? _server);
        string left = $" OC · {name} · {_connection} · {_trust}";
        string right = $"{MessageLines.Visible(_session.MyNick)} {_session.Me:D6} ";
        buffer.PutPadded(area.X, area.Y, CellWidth.Fit(left, area.Width - CellWidth.Of(right) - 1), area.Width, style);
        buffer.Put(area.Right - CellWidth.Of(right), area.Y, right, style);
    }

    private void DrawList(CellBuffer buffer, Rect area)
    {
        buffer.PutPadded(area.X, area.Y, " Friends and rooms", area.Width, _focus == Pane.List ? CellStyle.Reverse | CellStyle.Bold : CellStyle.Bold);
        var rows = ListRows();
        _listIndex = Math.Clamp(_listIndex, 0, Math.Max(0, rows.Count - 1));
        int y = area.Y + 1;
        int first = Math.Max(0, _listIndex - (area.Height - 3));
        bool requestsHeading = false;
        bool invitationsHeading = false;
        for (int i = first; i < rows.Count && y < area.Bottom; i++)
        {
            var row = rows[i];
            bool selected = i == _listIndex && _focus == Pane.List;
            if (row.Request is not null && !requestsHeading && y < area.Bottom - 1)
            {
                requestsHeading = true;
                buffer.PutPadded(area.X, y++, " Requests", area.Width, CellStyle.Bold);
            }

            if (row.Invitation is not null && !invitationsHeading && y < area.Bottom - 1)
            {
                invitationsHeading = true;
                buffer.PutPadded(area.X, y++, " Invitations", area.Width, CellStyle.Bold);
            }

            var selectedStyle = selected ? CellStyle.Reverse : CellStyle.Normal;
            if (row.Conversation is { } c)
            {
                string dot = c.IsRoom ? "#" : c.Online ? "●" : "○";
                string unread = c.Unread > 0 ? $" ({c.Unread})" : "";
                string when = c.LastActivityUnixMs > 0 ? " " + Activity(c.LastActivityUnixMs) : "";
                string nick = MessageLines.Visible(c.Nick);
                int room = area.Width - 2 - CellWidth.Of(unread) - CellWidth.Of(when);
                var style = selectedStyle | (c == _current ? CellStyle.Bold : CellStyle.Normal);
                buffer.PutPadded(area.X, y, "", area.Width, style);
                buffer.Put(area.X, y, dot, style | (c.IsRoom ? CellStyle.Magenta : c.Online ? CellStyle.Green : CellStyle.Dim));
                buffer.Put(area.X + 2, y, CellWidth.Fit(nick, room), style);
                buffer.Put(area.Right - CellWidth.Of(unread) - CellWidth.Of(when), y, unread, style | CellStyle.Bold | CellStyle.Yellow);
                buffer.Put(area.Right - CellWidth.Of(when), y, when, style | CellStyle.Dim);
            }
            else if (row.Request is { } r)
            {
                buffer.PutPadded(area.X, y, CellWidth.Fit($"? {MessageLines.Visible(r.Nick)} {r.OcNumber:D6}", area.Width), area.Width, selectedStyle | CellStyle.Yellow);
            }
            else if (row.Invitation is { } inv)
            {
                buffer.PutPadded(area.X, y, CellWidth.Fit($"# {MessageLines.Visible(inv.RoomName)} #{inv.RoomId:D6}", area.Width), area.Width, selectedStyle | CellStyle.Magenta);
            }

            y++;
        }

        if (rows.Count == 0 && area.Height > 2) buffer.Put(area.X + 1, area.Y + 2, CellWidth.Fit("no friends yet", area.Width - 1), CellStyle.Dim);
    }

    /// <summary>"18:02" today, "Tue" this week, else "3 Nov".</summary>
    private static string Activity(long unixMs)
    {
        var local = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToLocalTime();
        var now = DateTimeOffset.Now;
        if (local.Date == now.Date) return local.ToString("HH:mm", CultureInfo.InvariantCulture);
        if ((now.Date - local.Date).TotalDays < 7) return local.ToString("ddd", CultureInfo.InvariantCulture);
        return local.ToString("d MMM", CultureInfo.InvariantCulture);
    }

    private void DrawConversation(CellBuffer buffer, Rect area)
    {
        var titleStyle = _focus == Pane.Conversation ? CellStyle.Reverse | CellStyle.Bold : CellStyle.Bold;
        _conversationRowsShown = area.Height - 1;
        if (_current is not { } c)
        {
            buffer.PutPadded(area.X, area.Y, " No conversation open", area.Width, titleStyle);
            string[] hint = ["Choose a friend in the list (Tab, Up/Down, Enter)", "or jump to one with Ctrl-K. F1 shows every key."];
            for (int i = 0; i < hint.Length && area.Y + 2 + i < area.Bottom; i++) buffer.Put(area.X + 1, area.Y + 2 + i, CellWidth.Fit(hint[i], area.Width - 1), CellStyle.Dim);
            _rowsTotal = 0;
            return;
        }

        string title = c.IsRoom
            ? $" {Label(c)} · {(c.Friend ? $"{c.Members} member{(c.Members == 1 ? "" : "s")}" : "not a member")}"
            : $" {Label(c)} ({c.Number:D6}) · {(c.Friend ? (c.Online ? "online" : "offline") : "not a friend")}";
        var rows = ConversationText.Rows(c.Entries, _session.Me, n => c.IsRoom ? RoomNick(c, n) : _session.Nick(n), area.Width - 1);
        if (c.HistoryLoading) rows.Insert(0, new TextRow("loading older messages…", CellStyle.Dim));
        else if (c.HistoryLoaded && !c.MoreHistory) rows.Insert(0, new TextRow("— the start of the conversation —", CellStyle.Dim));
        else if (c.HistoryLoaded) rows.Insert(0, new TextRow("PageUp for older messages", CellStyle.Dim));
        _rowsTotal = rows.Count;
        int height = area.Height - 1;
        _scroll = Math.Clamp(_scroll, 0, Math.Max(0, rows.Count - height));
        if (_scroll > 0) title += $" · ↓ {_scroll} rows below";
        buffer.PutPadded(area.X, area.Y, CellWidth.Fit(title, area.Width), area.Width, titleStyle);
        int end = rows.Count - _scroll;
        int start = Math.Max(0, end - height);
        int y = area.Y + 1 + (height - (end - start)); // Newest at the bottom, as in a terminal.
        for (int i = start; i < end; i++) buffer.Put(area.X + 1, y++, rows[i].Text, rows[i].Style, area.Width - 1);
    }

    private void DrawFiles(CellBuffer buffer, Rect area)
    {
        var files = _current?.Files ?? [];
        _fileIndex = Math.Clamp(_fileIndex, 0, Math.Max(0, files.Count - 1));
        buffer.PutPadded(area.X, area.Y, $" Files ({files.Count})", area.Width, _focus == Pane.Files ? CellStyle.Reverse | CellStyle.Bold : CellStyle.Bold);
        int y = area.Y + 1;
        if (_current is null) buffer.Put(area.X + 1, y, CellWidth.Fit("no conversation open", area.Width - 1), CellStyle.Dim);
        else if (files.Count == 0) buffer.Put(area.X + 1, y, CellWidth.Fit("no files yet (s sends one)", area.Width - 1), CellStyle.Dim);
        int first = Math.Max(0, _fileIndex - ((area.Height - 1) / 2 - 1));
        for (int i = first; i < files.Count && y + 1 < area.Bottom; i++)
        {
            var item = files[i];
            bool selected = i == _fileIndex && _focus == Pane.Files;
            var style = selected ? CellStyle.Reverse : CellStyle.Normal;
            buffer.PutPadded(area.X, y++, " " + CellWidth.Fit(MessageLines.Visible(item.Entry.Name), area.Width - 1), area.Width, style | CellStyle.Bold);
            string detail;
            if (item.Progress >= 0 && item.Entry.Size > 0)
            {
                int barWidth = Math.Max(4, area.Width - 9);
                int filled = (int)(barWidth * item.Progress / (long)item.Entry.Size);
                detail = "[" + new string('#', filled) + new string('-', barWidth - filled) + "]" + string.Create(CultureInfo.InvariantCulture, $" {100 * item.Progress / (long)item.Entry.Size,3}%");
            }
            else
            {
                string who = item.Entry.From == _session.Me ? "you" : MessageLines.Visible(_session.Nick(item.Entry.From));
                string state = item.Downloaded ? "downloaded" : item.Entry.State switch
                {
                    FileState.Complete => "complete",
                    FileState.Uploading => "partial",
                    _ => "rejected",
                };
                detail = $"{state} · {TransferProgress.Bytes((long)item.Entry.Size)} · {who}";
                if (item.Note is { } note && !item.Downloaded) detail += " · " + note;
            }

            buffer.PutPadded(area.X, y++, "  " + CellWidth.Fit(MessageLines.Visible(detail), area.Width - 2), area.Width, CellStyle.Dim);
        }
    }

    private (int X, int Y)? DrawInput(CellBuffer buffer, Rect area)
    {
        bool path = _overlay == Overlay.SendPath;
        var line = path ? _path : _input;
        string prompt = path ? "send file: " : _current is { } c ? (c.IsRoom ? "#" : "") + MessageLines.Visible(c.Nick) + "> " : "> ";
        prompt = CellWidth.Fit(prompt, Math.Max(4, area.Width / 3));
        int promptWidth = CellWidth.Of(prompt);
        var (rows, column, row) = line.View(area.Width - promptWidth - 1, area.Height);
        for (int i = 0; i < area.Height; i++)
        {
            buffer.PutPadded(area.X, area.Y + i, i == 0 ? prompt : "", promptWidth, _focus == Pane.Input || path ? CellStyle.Bold | CellStyle.Cyan : CellStyle.Dim);
            if (i < rows.Count) buffer.Put(area.X + promptWidth, area.Y + i, MessageLines.Visible(rows[i]).Replace('\t', ' '), CellStyle.Normal, area.Width - promptWidth);
        }

        return _focus == Pane.Input || path ? (area.X + promptWidth + column, area.Y + row) : null;
    }

    private void DrawStatus(CellBuffer buffer, Rect area)
    {
        if (_status is { } status) buffer.PutPadded(area.X, area.Y, CellWidth.Fit(" " + MessageLines.Visible(status), area.Width), area.Width, CellStyle.Yellow);
        else buffer.PutPadded(area.X, area.Y, CellWidth.Fit(" " + KeyHints, area.Width), area.Width, CellStyle.Dim);
    }

    private void DrawHelp(CellBuffer buffer)
    {
        var box = Box(buffer, " Keys (any key closes) ", HelpLines.Length, HelpLines.Max(CellWidth.Of));
        for (int i = 0; i < HelpLines.Length && i < box.Height; i++) buffer.Put(box.X, box.Y + i, HelpLines[i], CellStyle.Normal, box.Width);
    }

    private (int X, int Y)? DrawJump(CellBuffer buffer)
    {
        var matches = JumpMatches();
        int shown = Math.Min(matches.Count, Math.Max(1, _height - 8));
        var box = Box(buffer, " Jump to (name, number or place; Enter opens, Esc cancels) ", shown + 1, 50);
        buffer.PutPadded(box.X, box.Y, "> " + _jump.Text, box.Width, CellStyle.Bold);
        for (int i = 0; i < shown && i + 1 < box.Height; i++)
        {
            var c = matches[i];
            string text = (c.IsRoom ? Label(c) : $"{Label(c)} ({c.Number:D6})") + (c.Unread > 0 ? $" ({c.Unread})" : "");
            buffer.PutPadded(box.X, box.Y + 1 + i, CellWidth.Fit(text, box.Width), box.Width, i == _jumpIndex ? CellStyle.Reverse : CellStyle.Normal);
        }

        return (box.X + 2 + CellWidth.Of(_jump.Text[.._jump.Cursor]), box.Y);
    }

    /// <summary>A framed box in the middle of the screen; returns its inside.</summary>
    private static Rect Box(CellBuffer buffer, string title, int lines, int width)
    {
        int w = Math.Min(buffer.Width - 2, Math.Max(width, CellWidth.Of(title)) + 2);
        int h = Math.Min(buffer.Height - 2, lines + 2);
        int x = (buffer.Width - w) / 2;
        int y = (buffer.Height - h) / 2;
        var inside = new Rect(x + 1, y + 1, w - 2, h - 2);
        buffer.Clear(new Rect(x, y, w, h));
        buffer.Put(x, y, "┌" + new string('─', w - 2) + "┐");
        buffer.Put(x + 2, y, CellWidth.Fit(title, w - 4), CellStyle.Bold);
        for (int i = 1; i < h - 1; i++)
        {
            buffer.Put(x, y + i, "│");
            buffer.Put(x + w - 1, y + i, "│");
        }

        buffer.Put(x, y + h - 1, "└" + new string('─', w - 2) + "┘");
        return inside;
    }
}
