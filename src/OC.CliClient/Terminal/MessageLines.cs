using System.Globalization;
using System.Text;
using OC.Protocol.Messages;

namespace OC.CliClient.Terminal;

/// <summary>
/// How messages and events look as text: local time, nicknames, and message text made safe for a
/// terminal (a friend's message cannot move the cursor or change colours).
/// </summary>
internal static class MessageLines
{
    /// <summary><c>[2026-11-25 18:00] alice: hello</c>, the form of <c>oc history</c>.</summary>
    public static string History(ChatMessage message, string fromNick) =>
        $"[{LocalTime(message.TimeUnixMs)}] {fromNick}: {SafeText(message.Text)}";

    /// <summary>
    /// <c>[2026-11-25 18:00] alice → you: hello</c> or <c>[...] you → bob: hi</c>, the form of
    /// <c>oc listen</c> and <c>oc chat</c>, where the other side could be anyone.
    /// </summary>
    public static string Conversation(long timeUnixMs, string fromNick, string toNick, string text) =>
        $"[{LocalTime(timeUnixMs)}] {fromNick} → {toNick}: {SafeText(text)}";

    public static string Presence(string nick, bool online) => online ? $"* {nick} is online" : $"* {nick} went offline";

    public static string FriendAdded(string nick, uint number) =>
        string.Create(CultureInfo.InvariantCulture, $"* {nick} ({number:D6}) is now your friend");

    public static string FriendRemoved(string nick, uint number) =>
        string.Create(CultureInfo.InvariantCulture, $"* {nick} ({number:D6}) is no longer your friend");

    /// <summary><c>* alice sent you holiday.jpg (3.2 MiB), file 0f3a9c2e11d04b7a</c>; <paramref name="how"/> says how to get it.</summary>
    public static string FileReceived(string fromNick, FileEntry file, string how) =>
        string.Create(CultureInfo.InvariantCulture,
            $"* {fromNick} sent you {SafeText(file.Name)} ({TransferProgress.Bytes((long)file.Size)}), file {file.FileId:x16}: {how} {file.FileId:x16}");

    public static string LocalTime(long timeUnixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(timeUnixMs).ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static DateTimeOffset UtcTime(long timeUnixMs) => DateTimeOffset.FromUnixTimeMilliseconds(timeUnixMs);

    /// <summary>
    /// Control characters (escape sequences above all) become U+FFFD; a line break stays one, and the
    /// lines after it are indented so that a message still reads as one entry.
    /// </summary>
    public static string SafeText(string text)
    {
        var safe = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') continue;
            if (c is '\n' or '\r') safe.Append("\n    ");
            else if (c == '\t') safe.Append(c);
            else if (char.IsControl(c) || c is '\u2028' or '\u2029') safe.Append('\uFFFD');
            else safe.Append(c);
        }

        return safe.ToString();
    }
}
