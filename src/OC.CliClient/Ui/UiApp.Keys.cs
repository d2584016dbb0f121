namespace OC.CliClient.Ui;

// The keys: global ones first (quit, help, jump, panes, files, scrolling), then the focused pane's.
internal sealed partial class UiApp
{
    private readonly InputLine _input = new();
    private readonly InputLine _path = new();
    private readonly InputLine _jump = new();
    private Pane _focus = Pane.Input;
    private Overlay _overlay;
    private int _listIndex;
    private int _jumpIndex;
    private int _scroll; // Rows scrolled up from the newest.

    private void OnKey(Key key)
    {
        _status = key.Kind is KeyKind.FocusIn or KeyKind.FocusOut ? _status : null;
        switch (key.Kind)
        {
            case KeyKind.Ctrl when key.Letter == 'c':
                _interrupted = true;
                _quit = true;
                return;
            case KeyKind.Ctrl when key.Letter == 'q':
            case KeyKind.F10:
                _quit = true;
                return;
            case KeyKind.FocusIn:
                _focused = true;
                return;
            case KeyKind.FocusOut:
                _focused = false;
                return;
            case KeyKind.Ctrl when key.Letter == 'l':
                _renderer.Invalidate();
                return;
        }

        switch (_overlay)
        {
            case Overlay.Help:
                _overlay = Overlay.None;
                return;
            case Overlay.Jump:
                JumpKey(key);
                return;
            case Overlay.SendPath:
                PathKey(key);
                return;
        }

        switch (key.Kind)
        {
            case KeyKind.F1:
            case KeyKind.Char when key.Text == "?" && _focus != Pane.Input:
                _overlay = Overlay.Help;
                return;
            case KeyKind.Ctrl when key.Letter == 'k':
                _overlay = Overlay.Jump;
                _jump.Set("");
                _jumpIndex = 0;
                return;
            case KeyKind.Tab:
                _focus = Next(_focus, +1);
                return;
            case KeyKind.BackTab:
                _focus = Next(_focus, -1);
                return;
            case KeyKind.F2:
            case KeyKind.Ctrl when key.Letter == 't':
                ToggleFiles();
                return;
            case KeyKind.Ctrl when key.Letter is 'n' or 'p':
                var ordered = Ordered();
                if (ordered.Count == 0) return;
                int at = _current is null ? -1 : ordered.IndexOf(_current);
                Open(ordered[((at + (key.Letter == 'n' ? 1 : -1)) % ordered.Count + ordered.Count) % ordered.Count]);
                return;
            case KeyKind.PageUp:
                ScrollBy(ConversationRows() - 1);
                return;
            case KeyKind.PageDown:
                ScrollBy(-(ConversationRows() - 1));
                return;
        }

        switch (_focus)
        {
            case Pane.List:
                ListKey(key);
                break;
            case Pane.Conversation:
                if (key.Kind == KeyKind.Up) ScrollBy(1);
                else if (key.Kind == KeyKind.Down) ScrollBy(-1);
                else if (key.Kind == KeyKind.End) _scroll = 0;
                else TypeInInput(key);
                break;
            case Pane.Files:
                FilesKey(key);
                break;
            default:
                if (key.Kind == KeyKind.Enter) Submit();
                else _input.Handle(key);
                break;
        }
    }

    private Pane Next(Pane pane, int step)
    {
        Pane[] order = _filesShown ? [Pane.Input, Pane.List, Pane.Conversation, Pane.Files] : [Pane.Input, Pane.List, Pane.Conversation];
        int at = Array.IndexOf(order, pane);
        return order[((at < 0 ? 0 : at) + step + order.Length) % order.Length];
    }

    /// <summary>A character typed in a pane that takes none goes to the input (as in most chat clients).</summary>
    private void TypeInInput(Key key)
    {
        if (key.Kind is not (KeyKind.Char or KeyKind.Paste)) return;
        _focus = Pane.Input;
        _input.Handle(key);
    }

    private void ListKey(Key key)
    {
        var rows = ListRows();
        int selectable = rows.Count;
        switch (key.Kind)
        {
            case KeyKind.Up:
            case KeyKind.Char when key.Text == "k":
                _listIndex = Math.Max(0, _listIndex - 1);
                break;
            case KeyKind.Down:
            case KeyKind.Char when key.Text == "j":
                _listIndex = Math.Min(Math.Max(0, selectable - 1), _listIndex + 1);
                break;
            case KeyKind.Enter:
                if (_listIndex >= selectable) return;
                var row = rows[_listIndex];
                if (row.Conversation is { } conversation)
                {
                    Open(conversation);
                    _focus = Pane.Input;
                }
                else if (row.Request is { } request)
                {
                    Respond(request.OcNumber, accept: true);
                }
                else if (row.Invitation is { } invitation)
                {
                    RespondToRoom(invitation, accept: true);
                }

                break;
            case KeyKind.Char when key.Text is "a" or "x":
                if (_listIndex < selectable && rows[_listIndex].Request is { } asked) Respond(asked.OcNumber, accept: key.Text == "a");
                if (_listIndex < selectable && rows[_listIndex].Invitation is { } invited) RespondToRoom(invited, accept: key.Text == "a");
                break;
            default:
                TypeInInput(key);
                break;
        }
    }

    private void FilesKey(Key key)
    {
        int count = _current?.Files.Count ?? 0;
        switch (key.Kind)
        {
            case KeyKind.Up:
                _fileIndex = Math.Max(0, _fileIndex - 1);
                break;
            case KeyKind.Down:
                _fileIndex = Math.Min(Math.Max(0, count - 1), _fileIndex + 1);
                break;
            case KeyKind.Enter:
            case KeyKind.Char when key.Text == "d":
                DownloadSelected();
                break;
            case KeyKind.Char when key.Text == "s":
                BeginSendPrompt();
                break;
        }
    }

    private void JumpKey(Key key)
    {
        var matches = JumpMatches();
        switch (key.Kind)
        {
            case KeyKind.Escape:
                _overlay = Overlay.None;
                break;
            case KeyKind.Up:
                _jumpIndex = Math.Max(0, _jumpIndex - 1);
                break;
            case KeyKind.Down:
                _jumpIndex = Math.Min(Math.Max(0, matches.Count - 1), _jumpIndex + 1);
                break;
            case KeyKind.Enter:
                _overlay = Overlay.None;
                if (matches.Count > 0) Open(matches[Math.Min(_jumpIndex, matches.Count - 1)]);
                _focus = Pane.Input;
                break;
            default:
                if (key.Kind is KeyKind.Char or KeyKind.Backspace or KeyKind.Left or KeyKind.Right or KeyKind.Home or KeyKind.End or KeyKind.Delete or KeyKind.Ctrl)
                {
                    _jump.Handle(key);
                    _jumpIndex = 0;
                }

                break;
        }
    }

    /// <summary>The conversations the jump's query matches, best first: by nickname or OC number, or by their place in the list (1, 2, …).</summary>
    private List<Conversation> JumpMatches()
    {
        var ordered = Ordered();
        string query = _jump.Text.Trim();
        if (int.TryParse(query, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int place)
            && query.Length <= 2 && place >= 1 && place <= ordered.Count)
        {
            return [ordered[place - 1]];
        }

        return Fuzzy.Rank(query, ordered, c => (c.IsRoom ? "#" : "") + c.Nick + " " + c.Number.ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
    }

    private void PathKey(Key key)
    {
        switch (key.Kind)
        {
            case KeyKind.Escape:
                _overlay = Overlay.None;
                break;
            case KeyKind.Enter:
                _overlay = Overlay.None;
                if (_path.Text.Trim().Length > 0) StartSend(_path.Text.Trim());
                break;
            case KeyKind.Tab:
                _path.Set(PathCompletion.Complete(_path.Text));
                break;
            default:
                _path.Handle(key);
                break;
        }
    }

    private void ScrollBy(int rows)
    {
        _scroll = Math.Max(0, _scroll + rows);
        if (_current is { } current && rows > 0 && _scroll > Math.Max(0, _rowsTotal - ConversationRows()))
        {
            // Past the oldest message shown: the page before it, from the appliance.
            _scroll = Math.Max(0, _rowsTotal - ConversationRows());
            LoadHistory(current);
        }
    }

    private void Respond(uint number, bool accept)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var card = await _session.RespondAsync(number, accept, _stopTransfers.Token).ConfigureAwait(false);
                Post(() =>
                {
                    _requests.RemoveAll(r => r.OcNumber == number);
                    if (card is { } friend)
                    {
                        var conversation = Get(friend.OcNumber);
                        conversation.Nick = friend.Nick;
                        conversation.Online = friend.Online;
                        conversation.Friend = true;
                    }

                    _status = accept ? "accepted" : "declined";
                });
            }
#pragma warning disable CA1031 // A refusal is one line on the status row.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Post(() => _status = Terminal.ErrorReport.OneLine(Terminal.ErrorReport.Describe(e).Message));
            }
        });
    }
}
