using System.Text;

namespace OC.CliClient.Terminal;

/// <summary>
/// Reads a password: typed on the terminal without echo, or one line from stdin with
/// <c>--password-stdin</c> (for scripts: <c>printf '%s\n' "$PW" | oc login 123456 --password-stdin</c>).
/// </summary>
internal static class PasswordReader
{
    /// <param name="confirm">Ask twice on a terminal (for a new password); stdin is read once either way.</param>
    public static string Read(CliEnvironment environment, bool fromStdin, bool confirm)
    {
        string password;
        if (fromStdin)
        {
            password = environment.OpenIn().ReadLine() ?? throw CliException.Usage("--password-stdin: stdin ended before a password line");
        }
        else
        {
            if (!environment.InputIsTerminal)
            {
                throw CliException.Usage("stdin is not a terminal: use --password-stdin");
            }

            password = Prompt("Password: ", environment.Error);
            if (confirm && Prompt("Repeat the password: ", environment.Error) != password)
            {
                throw CliException.Usage("the passwords do not match");
            }
        }

        return Check(password);
    }

    /// <summary>
    /// For <c>oc passwd</c>: the current password and a new one, typed on the terminal (the new one
    /// twice), or with <c>--password-stdin</c> two lines of stdin, the current one first.
    /// </summary>
    public static (string Current, string New) ReadChange(CliEnvironment environment, bool fromStdin)
    {
        string current, next;
        if (fromStdin)
        {
            var stdin = environment.OpenIn();
            current = stdin.ReadLine() ?? throw CliException.Usage("--password-stdin: stdin ended before the current password");
            next = stdin.ReadLine() ?? throw CliException.Usage("--password-stdin: stdin needs a second line, the new password");
        }
        else
        {
            if (!environment.InputIsTerminal)
            {
                throw CliException.Usage("stdin is not a terminal: use --password-stdin (two lines: the current password, then the new one)");
            }

            current = Prompt("Current password: ", environment.Error);
            next = Prompt("New password: ", environment.Error);
            if (Prompt("Repeat the new password: ", environment.Error) != next)
            {
                throw CliException.Usage("the new passwords do not match");
            }
        }

        Check(current);
        try
        {
            return (current, Check(next));
        }
        catch (CliException e)
        {
            throw CliException.Usage(e.Message.Replace("the password", "the new password", StringComparison.Ordinal));
        }
    }

    /// <summary>The checks SCRAM would make anyway (docs/protocol.md, REGISTER), made before anything is sent.</summary>
    internal static string Check(string password)
    {
        if (password.Length == 0)
        {
            throw CliException.Usage("the password is empty");
        }

        if (password.Any(char.IsControl))
        {
            throw CliException.Usage("the password contains a control character");
        }

        return password;
    }

    // Console.ReadKey(intercept: true) echoes nothing. Ctrl-C arrives as a key (not a signal)
    // while we read, so the terminal is left as it was and the command ends with "cancelled".
    private static string Prompt(string prompt, TextWriter terminal)
    {
        terminal.Write(prompt);
        terminal.Flush();
        bool treatControlCAsInput = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        var typed = new StringBuilder();
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                switch (key.KeyChar)
                {
                    case '\r' or '\n':
                        return typed.ToString();
                    case '\u0003': // Ctrl-C
                        throw new OperationCanceledException();
                    case '\u0004' when typed.Length == 0: // Ctrl-D on an empty line, as a shell reads it
                        throw new OperationCanceledException();
                    case '\u0015': // Ctrl-U: start over
                        typed.Clear();
                        continue;
                    case '\b' or '\u007f':
                        RemoveLast(typed);
                        continue;
                }

                if (key.Key == ConsoleKey.Enter)
                {
                    return typed.ToString();
                }

                if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control))
                {
                    throw new OperationCanceledException();
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    RemoveLast(typed);
                }
                else if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
                {
                    // Arrows and function keys have no KeyChar; other control keys are not password text.
                    typed.Append(key.KeyChar);
                }
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlCAsInput;
            terminal.WriteLine();
        }
    }

    private static void RemoveLast(StringBuilder typed)
    {
        if (typed.Length == 0) return;
        int remove = typed.Length >= 2 && char.IsLowSurrogate(typed[^1]) && char.IsHighSurrogate(typed[^2]) ? 2 : 1;
        typed.Length -= remove;
    }
}
