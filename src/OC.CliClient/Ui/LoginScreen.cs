using OC.CliClient.Commands;
using OC.CliClient.Config;
using OC.CliClient.Terminal;
using OC.Protocol;
using OC.Protocol.Messages;

namespace OC.CliClient.Ui;

/// <summary>
/// <c>oc ui</c> without a session: the original's login and registration windows as one form
/// (F2 switches). Logging in and registering are <c>oc login</c>'s and <c>oc register</c>'s own
/// code (<see cref="LoginCommand.LogInAsync"/>, <see cref="RegisterCommand.RegisterAsync"/>); a new
/// account is logged in at once. The appliance was chosen, and its certificate trusted, on the
/// plain terminal before (as every command does it).
/// </summary>
internal sealed class LoginScreen(CommandContext context, ServerAddress server, RawTerminal terminal, TerminalInput input, bool colour)
{
    private readonly Renderer _renderer = new(colour);
    private readonly InputLine[] _fields = [new(), new(), new()];
    private bool _register;
    private int _field;
    private string? _message;
    private bool _messageIsError;
    private bool _busy;

    /// <summary>The outcome: the session (null when the user left), and whether Ctrl-C left.</summary>
    public async Task<(Session? Session, bool Interrupted)> RunAsync(CancellationToken cancellationToken)
    {
        Draw();
        try
        {
            await foreach (var key in input.Keys.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (key.Kind == KeyKind.Ctrl && key.Letter == 'c') return (null, true);
                if ((key.Kind == KeyKind.Ctrl && key.Letter == 'q') || key.Kind is KeyKind.F10 or KeyKind.Escape) return (null, false);
                if (key.Kind is KeyKind.FocusIn or KeyKind.FocusOut) continue;
                if (_busy) continue;
                if (key.Kind == KeyKind.F2)
                {
                    _register = !_register;
                    _field = 0;
                    _message = null;
                }
                else if (key.Kind is KeyKind.Tab or KeyKind.Down)
                {
                    _field = (_field + 1) % FieldCount;
                }
                else if (key.Kind is KeyKind.BackTab or KeyKind.Up)
                {
                    _field = (_field + FieldCount - 1) % FieldCount;
                }
                else if (key.Kind == KeyKind.Enter && _field < FieldCount - 1)
                {
                    _field++;
                }
                else if (key.Kind == KeyKind.Enter)
                {
                    if (await SubmitAsync(cancellationToken).ConfigureAwait(false) is { } session) return (session, false);
                }
                else if (key.Kind is not (KeyKind.AltEnter or KeyKind.Paste) || !key.Text.Contains('\n', StringComparison.Ordinal))
                {
                    _fields[_field].Handle(key);
                }

                Draw();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, true);
        }

        return (null, false);
    }

    private int FieldCount => _register ? 3 : 2;

    private string[] Labels => _register ? ["Nickname", "Password", "Password again"] : ["OC number", "Password"];

    private bool IsPassword(int field) => field > 0;

    private async Task<Session?> SubmitAsync(CancellationToken cancellationToken)
    {
        string first = _fields[0].Text.Trim();
        string password = _fields[1].Text;
        if (password.Length == 0)
        {
            Say("the password is empty", error: true);
            return null;
        }

        uint number = 0;
        string nick = "";
        if (_register)
        {
            if (!TextRules.TryValidateNick(first, out nick, out string nickError))
            {
                Say(nickError, error: true);
                return null;
            }

            if (_fields[2].Text != password)
            {
                Say("the two passwords differ", error: true);
                return null;
            }
        }
        else if (!OcNumber.TryParse(first, out var parsed))
        {
            Say($"'{first}' is not an OC number (six digits)", error: true);
            return null;
        }
        else
        {
            number = parsed;
        }

        _busy = true;
        Say(_register ? "registering…" : "logging in…", error: false);
        try
        {
            if (_register)
            {
                number = await RegisterCommand.RegisterAsync(context, server, nick, "", password, cancellationToken).ConfigureAwait(false);
                Say($"registered: your OC number is {number:D6}; logging in…", error: false);
            }

            await LoginCommand.LogInAsync(context, server, number, password, LoginCommand.DeviceName(null), cancellationToken).ConfigureAwait(false);
            return context.Sessions.Load();
        }
#pragma warning disable CA1031 // Any refusal or failure is said on the form, which stays for another try.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Say(ErrorReport.OneLine(ErrorReport.Describe(e).Message), error: true);
            return null;
        }
        finally
        {
            _busy = false;
            for (int i = 1; i < _fields.Length; i++) _fields[i].Set(""); // A password is typed again, never kept.
        }
    }

    private void Say(string text, bool error)
    {
        _message = text;
        _messageIsError = error;
        Draw();
    }

    private void Draw()
    {
        var (width, height) = RawTerminal.Size();
        var buffer = new CellBuffer(width, height);
        buffer.PutPadded(0, 0, CellWidth.Fit($" OC · {server} · {(_register ? "register a new account" : "log in")}", width), width, CellStyle.Reverse);
        int boxWidth = Math.Min(width - 4, 56);
        int x = Math.Max(1, (width - boxWidth) / 2);
        int y = Math.Max(2, height / 2 - 5);
        buffer.Put(x, y, CellWidth.Fit(_register ? "Register: choose a nickname and a password" : "Log in with your OC number and password", boxWidth), CellStyle.Bold);
        (int X, int Y)? cursor = null;
        for (int i = 0; i < FieldCount; i++)
        {
            int row = y + 2 + 2 * i;
            string label = Labels[i] + ":";
            buffer.Put(x, row, label, i == _field ? CellStyle.Bold | CellStyle.Cyan : CellStyle.Normal);
            int fieldX = x + 17;
            int fieldWidth = Math.Max(4, boxWidth - 17);
            string text = IsPassword(i) ? new string('•', _fields[i].Text.EnumerateRunes().Count()) : MessageLines.Visible(_fields[i].Text);
            buffer.PutPadded(fieldX, row, CellWidth.Fit(text, fieldWidth), fieldWidth, CellStyle.Underline);
            if (i == _field) cursor = (fieldX + Math.Min(fieldWidth - 1, CellWidth.Of(IsPassword(i) ? text : MessageLines.Visible(_fields[i].Text[.._fields[i].Cursor]))), row);
        }

        int messageRow = y + 2 + 2 * FieldCount + 1;
        if (_message is { } message) buffer.Put(x, messageRow, CellWidth.Fit(MessageLines.Visible(message), boxWidth), _messageIsError ? CellStyle.Red : CellStyle.Yellow);
        string hints = _register
            ? "Enter next/register · F2 log in instead · Esc quit"
            : "Enter next/log in · F2 register a new account · Esc quit";
        buffer.PutPadded(0, height - 1, CellWidth.Fit(" " + hints, width), width, CellStyle.Dim);
        terminal.Write(_renderer.Frame(buffer, cursor));
    }
}
