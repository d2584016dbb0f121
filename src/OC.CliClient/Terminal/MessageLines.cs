using System.Buffers;
using System.Globalization;
using System.Text;
using OC.Protocol;
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

    /// <summary>
    /// <see cref="Conversation(long, string, string, string)"/> made safe piece by piece, with the
    /// user's mentions in the text highlighted: print it with <see cref="Output.SafeLine"/>.
    /// </summary>
    public static string Conversation(long timeUnixMs, string fromNick, string toNick, string text, Mentions mentions) =>
        $"[{LocalTime(timeUnixMs)}] {Visible(fromNick)} → {Visible(toNick)}: {mentions.Highlight(SafeText(text))}";

    /// <summary><see cref="History(ChatMessage, string)"/> made safe, with mentions highlighted.</summary>
    public static string History(ChatMessage message, string fromNick, Mentions mentions) =>
        $"[{LocalTime(message.TimeUnixMs)}] {Visible(fromNick)}: {mentions.Highlight(SafeText(message.Text))}";

    public static string Presence(string nick, bool online) => online ? $"* {nick} is online" : $"* {nick} went offline";

    public static string FriendAdded(string nick, uint number) =>
        string.Create(CultureInfo.InvariantCulture, $"* {nick} ({number:D6}) is now your friend");

    public static string FriendRemoved(string nick, uint number) =>
        string.Create(CultureInfo.InvariantCulture, $"* {nick} ({number:D6}) is no longer your friend");

    /// <summary><c>* bob (654321) wants to be your friend: /accept 654321 or /decline 654321</c>; the two verbs say how to answer.</summary>
    public static string FriendRequest(string nick, uint number, string accept, string decline) =>
        string.Create(CultureInfo.InvariantCulture, $"* {nick} ({number:D6}) wants to be your friend: {accept} {number:D6} or {decline} {number:D6}");

    /// <summary><c>* carol (572719) joined #482913 Lunch</c> and the other membership changes of a room.</summary>
    public static string RoomChanged(RoomEvent e, uint me, string actorNick)
    {
        string room = string.Create(CultureInfo.InvariantCulture, $"#{e.RoomId:D6} {Visible(e.RoomName)}");
        string who = e.Subject == me ? "you" : string.Create(CultureInfo.InvariantCulture, $"{Visible(e.SubjectNick)} ({e.Subject:D6})");
        return e.Kind switch
        {
            RoomEventKind.Joined when e.Actor != e.Subject => $"* {who} joined {room} (invited by {actorNick})",
            RoomEventKind.Joined => $"* {who} joined {room}",
            RoomEventKind.Left => $"* {who} left {room}",
            RoomEventKind.Kicked => $"* {who} {(e.Subject == me ? "were" : "was")} removed from {room} by {actorNick}",
            _ => $"* {who} {(e.Subject == me ? "own" : "owns")} {room} now",
        };
    }

    /// <summary><c>* alice (123456) invites you to #482913 Lunch: oc room accept #482913 or oc room decline #482913</c>.</summary>
    public static string RoomInvitation(RoomInvitation i) =>
        string.Create(CultureInfo.InvariantCulture,
            $"* {Visible(i.FromNick)} ({i.From:D6}) invites you to #{i.RoomId:D6} {Visible(i.RoomName)}: oc room accept #{i.RoomId:D6} or oc room decline #{i.RoomId:D6}");

    /// <summary>
    /// <c>* alice sent you holiday.jpg (3.2 MiB), file 0f3a9c2e11d04b7a</c>, or for a room file
    /// <c>* alice sent #482913 minutes.pdf (...)</c>; <paramref name="how"/> says how to get it.
    /// </summary>
    public static string FileReceived(string fromNick, FileEntry file, string how) =>
        string.Create(CultureInfo.InvariantCulture,
            $"* {fromNick} sent {(file.Room != 0 ? $"#{file.Room:D6}" : "you")} {SafeText(file.Name)} ({TransferProgress.Bytes((long)file.Size)}), file {file.FileId:x16}: {how} {file.FileId:x16}");

    public static string LocalTime(long timeUnixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(timeUnixMs).ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static DateTimeOffset UtcTime(long timeUnixMs) => DateTimeOffset.FromUnixTimeMilliseconds(timeUnixMs);

    /// <summary>
    /// Message text for a terminal, the one way every command shows it (<c>oc history</c>,
    /// <c>oc listen</c>, <c>oc chat</c>): <see cref="Visible"/>, except that a line break stays one
    /// and the lines after it are indented so that a message still reads as one entry. CR LF, a
    /// lone CR and LF are each one line break (a bare CR must not move the cursor back over the
    /// line); line breaks at the end are dropped, so a message sent with a trailing CR or CR LF
    /// (from Windows, say) leaves no empty line behind it.
    /// </summary>
    public static string SafeText(string text)
    {
        text = text.TrimEnd(['\r', '\n']);
        var safe = new StringBuilder(text.Length);
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is not ('\n' or '\r')) continue;
            AppendVisible(safe, text.AsSpan(start, i - start));
            safe.Append("\n    ");
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }

        AppendVisible(safe, text.AsSpan(start));
        return safe.ToString();
    }

    /// <summary>
    /// Any text from the network as a terminal may show it, applied to every line oc prints for
    /// people (<see cref="Output.Line"/>, <see cref="ChatConsole.Print"/>), so nicknames and file
    /// names get it too. Control characters (escape sequences above all), U+2028/U+2029 and
    /// unpaired surrogates become U+FFFD; format characters, which reorder or hide text (a
    /// right-to-left override makes "‮gnp.exe" look like "exe.png"), show as <c>&lt;U+202E&gt;</c>.
    /// Line breaks and tabs stay: oc's own lines hold them. ZWJ and ZWNJ (U+200D, U+200C) stay as
    /// well: they only join or part glyphs (👩‍💻, Persian), never reorder text.
    /// </summary>
    public static string Visible(string text)
    {
        var safe = new StringBuilder(text.Length);
        AppendVisible(safe, text);
        return safe.ToString();
    }

    private static void AppendVisible(StringBuilder safe, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out int used) != OperationStatus.Done)
            {
                safe.Append('\uFFFD');
            }
            else if (rune.Value is '\n' or '\t')
            {
                safe.Append((char)rune.Value);
            }
            else if (Rune.IsControl(rune) || rune.Value is 0x2028 or 0x2029)
            {
                safe.Append('\uFFFD');
            }
            else if (TextRules.IsFormat(rune) && rune.Value is not (0x200C or 0x200D))
            {
                safe.Append('<').Append(TextRules.CodePoint(rune.Value)).Append('>');
            }
            else
            {
                safe.Append(text[..used]);
            }

            text = text[used..];
        }
    }
}
