using System.Buffers.Binary;
using System.Globalization;
using OC.Protocol.Messages;

namespace OC.CliClient.Terminal;

/// <summary>
/// Who the people of a room's entries are, as a line names them: the user as "you" (oc listen,
/// oc chat) or by their nick (oc history), anyone else by <see cref="Nick"/>.
/// </summary>
internal sealed record RoomNames(uint Me, string MyNick, bool You, Func<uint, string> Nick)
{
    public bool IsMe(uint number) => number == Me;

    public string Of(uint number) => number == Me ? (You ? "you" : MyNick) : Nick(number);

    /// <summary>The subject of a membership entry: its nick travels in the entry's text.</summary>
    public string Subject(in RoomMessage entry) =>
        entry.Subject == Me || entry.Text.Length == 0 ? Of(entry.Subject) : entry.Text;
}

/// <summary>
/// How the entries of a room's stream look as text (docs/protocol.md, "Room messages"): a
/// member's message, a membership change, a file. Every piece that came from the network (nicks,
/// room names, text, file names) is made safe here, so the lines may carry a mention's highlight
/// and are printed as they are (<see cref="Output.SafeLine"/>, <see cref="ChatConsole.PrintSafe"/>).
/// </summary>
internal static class RoomLines
{
    /// <summary><c>[2026-11-25 18:00] alice: hi</c> or <c>[...] * carol joined (invited by bob)</c>, the form of <c>oc history --room</c>.</summary>
    public static string History(in RoomMessage entry, RoomNames names, Mentions mentions) =>
        $"[{MessageLines.LocalTime(entry.TimeUnixMs)}] {Body(entry, names, mentions)}";

    /// <summary><c>[2026-11-25 18:00] [#482913 Lunch] alice: hi</c>, the form of <c>oc listen</c> and <c>oc chat</c>.</summary>
    public static string Live(in RoomMessage entry, string? roomName, RoomNames names, Mentions mentions) =>
        $"[{MessageLines.LocalTime(entry.TimeUnixMs)}] [{Label(entry.RoomId, roomName)}] {Body(entry, names, mentions)}";

    /// <summary><c>#482913 Lunch</c>, or <c>#482913</c> when the name is not known; safe.</summary>
    public static string Label(uint roomId, string? name) =>
        string.IsNullOrEmpty(name)
            ? string.Create(CultureInfo.InvariantCulture, $"#{roomId:D6}")
            : string.Create(CultureInfo.InvariantCulture, $"#{roomId:D6} {MessageLines.Visible(name)}");

    /// <summary>What the entry says, without time or room; safe.</summary>
    public static string Body(in RoomMessage entry, RoomNames names, Mentions mentions)
    {
        string from = MessageLines.Visible(names.Of(entry.From));
        string subject = MessageLines.Visible(names.Subject(entry));
        bool you = names.You && names.IsMe(entry.Subject);
        return entry.Kind switch
        {
            RoomMessageKind.Text => $"{from}: {mentions.Highlight(MessageLines.SafeText(entry.Text))}",
            RoomMessageKind.Joined when entry.From != entry.Subject => $"* {subject} joined (invited by {from})",
            RoomMessageKind.Joined => $"* {subject} joined",
            RoomMessageKind.Left => $"* {subject} left",
            RoomMessageKind.Kicked => $"* {subject} {(you ? "were" : "was")} kicked by {from}",
            RoomMessageKind.OwnerChanged => $"* {subject} {(you ? "own" : "owns")} the room now",
            RoomMessageKind.File => string.Create(CultureInfo.InvariantCulture,
                $"* {from} sent file {MessageLines.SafeText(entry.Text)} ({FileId(entry):x16})"),
            _ => string.Create(CultureInfo.InvariantCulture, $"* something this oc cannot show happened (entry kind {(byte)entry.Kind})"),
        };
    }

    /// <summary>"text", "joined", "left", "kicked", "owner", "file"; a kind this oc does not know as its number.</summary>
    public static string KindName(RoomMessageKind kind) => kind switch
    {
        RoomMessageKind.Text => "text",
        RoomMessageKind.Joined => "joined",
        RoomMessageKind.Left => "left",
        RoomMessageKind.Kicked => "kicked",
        RoomMessageKind.OwnerChanged => "owner",
        RoomMessageKind.File => "file",
        _ => ((byte)kind).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The file of a File entry: its messageId is the fileId, 8 bytes big-endian (0 for anything else).</summary>
    public static ulong FileId(in RoomMessage entry) =>
        entry.Kind == RoomMessageKind.File && entry.MessageId.Length == 8 ? BinaryPrimitives.ReadUInt64BigEndian(entry.MessageId) : 0;

    /// <summary>A member's message or file: what counts as unread (membership changes do not).</summary>
    public static bool IsSaid(in RoomMessage entry) => entry.Kind is RoomMessageKind.Text or RoomMessageKind.File;
}
