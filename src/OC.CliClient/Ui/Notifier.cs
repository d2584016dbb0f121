using System.Diagnostics;
using OC.CliClient.Terminal;

namespace OC.CliClient.Ui;

/// <summary>
/// Tells the user about a message they are not looking at: the bell, a desktop notification by
/// escape sequence (OSC 9, which iTerm2, Windows Terminal, kitty, WezTerm and others show, and
/// OSC 777 for rxvt, foot and Ghostty; both pass through SSH), and notify-send when a desktop
/// session is local (DISPLAY or WAYLAND_DISPLAY set and notify-send on the PATH).
/// </summary>
/// <remarks>
/// The text in an escape is sanitised (<see cref="MessageLines.Visible"/>: no control character
/// survives, so a message cannot end the sequence early and inject another) and cut short.
/// </remarks>
internal sealed class Notifier(Action<string> write, Func<string, string?> getVariable, bool enabled)
{
    private const int MaxText = 120;
    private readonly string? _notifySend = enabled ? FindNotifySend(getVariable) : null;

    public bool Enabled => enabled;

    /// <summary>The escapes for one notification (the bell, OSC 9, OSC 777), as written to the terminal.</summary>
    public static string Escapes(string title, string body)
    {
        string safeTitle = Clean(title);
        string safeBody = Clean(body);
        return $"\a\e]9;{safeTitle}: {safeBody}\e\\\e]777;notify;{safeTitle.Replace(';', ',')};{safeBody}\e\\";
    }

    public void Notify(string title, string body)
    {
        if (!enabled) return;
        write(Escapes(title, body));
        if (_notifySend is null) return;
        try
        {
            var start = new ProcessStartInfo(_notifySend)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("--app-name=oc");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(Clean(title));
            start.ArgumentList.Add(Clean(body));
            using var process = Process.Start(start);
            process?.StandardInput.Close();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            // No desktop notification: the bell and the escape were sent all the same.
        }
    }

    private static string Clean(string text)
    {
        string visible = MessageLines.Visible(text).Replace('\n', ' ').Replace('\t', ' ');
        return CellWidth.Fit(visible, MaxText);
    }

    private static string? FindNotifySend(Func<string, string?> getVariable)
    {
        if (string.IsNullOrEmpty(getVariable("DISPLAY")) && string.IsNullOrEmpty(getVariable("WAYLAND_DISPLAY"))) return null;
        foreach (string folder in (getVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, "notify-send");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
