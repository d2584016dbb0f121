using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

/// <summary>Live events as the lines <c>oc listen</c> and <c>oc chat</c> print (text and JSON).</summary>
internal static class EventLines
{
    /// <summary>
    /// The text line for an event, made safe (print it with <see cref="Output.SafeLine"/> or
    /// <see cref="ChatConsole.PrintSafe"/>), with the user's mentions highlighted as
    /// <paramref name="mentions"/> says; null for a delivery receipt (text shows none).
    /// </summary>
    public static string? Text(LiveSession session, OcEvent e, Mentions mentions) => e switch
    {
        MessageEvent { Message: var m } => MessageLines.Conversation(m.TimeUnixMs, Who(session, m.From), Who(session, m.To), m.Text, mentions),
        RoomMessageEvent { Message: var r } => RoomLines.Live(r, session.RoomName(r.RoomId), session.RoomNames, mentions),
        _ => Other(session, e) is { } line ? MessageLines.Visible(line) : null,
    };

    /// <summary><see cref="Text(LiveSession, OcEvent, Mentions)"/> without highlights.</summary>
    public static string? Text(LiveSession session, OcEvent e) => Text(session, e, Mentions.Plain(session.MyNick, session.Me));

    private static string? Other(LiveSession session, OcEvent e) => e switch
    {
        PresenceChangedEvent p => MessageLines.Presence(session.Nick(p.OcNumber), p.Online),
        FriendAddedEvent { Friend: var f } => MessageLines.FriendAdded(f.Nick, f.OcNumber),
        FriendRemovedEvent r => MessageLines.FriendRemoved(session.Nick(r.OcNumber), r.OcNumber),
        FriendRequestEvent { Request: var r } => MessageLines.FriendRequest(r.Nick, r.OcNumber, "oc friends accept", "oc friends decline"),
        FileReceivedEvent { File: var f } => MessageLines.FileReceived(session.Nick(f.From), f, "oc file get"),
        RoomInvitationEvent { Invitation: var i } => MessageLines.RoomInvitation(i),
        // ROOM_EVENT: the room stream's entry of the same change is shown instead (LiveSession).
        _ => null,
    };

    /// <summary>The JSON line for an event (every event has one, with its "type" first).</summary>
    public static string? Json(LiveSession session, OcEvent e) => e switch
    {
        MessageEvent { Message: var m } => OutputJsonContext.Serialize(
            new MessageEventOutput(m.Seq, MessageLines.UtcTime(m.TimeUnixMs), m.From, m.To, m.Text), OutputJsonContext.Default.MessageEventOutput),
        RoomMessageEvent { Message: var r } => RoomJson(r, session.RoomName(r.RoomId) ?? "", session.Nick, Mentions.Plain(session.MyNick, session.Me)),
        DeliveredEvent d => OutputJsonContext.Serialize(new DeliveredEventOutput(d.Seq), OutputJsonContext.Default.DeliveredEventOutput),
        PresenceChangedEvent p => OutputJsonContext.Serialize(
            new PresenceEventOutput(p.OcNumber, session.Nick(p.OcNumber), p.Online), OutputJsonContext.Default.PresenceEventOutput),
        FriendAddedEvent { Friend: var f } => OutputJsonContext.Serialize(
            new FriendEventOutput("friendAdded", f.OcNumber, f.Nick), OutputJsonContext.Default.FriendEventOutput),
        FriendRemovedEvent r => OutputJsonContext.Serialize(
            new FriendEventOutput("friendRemoved", r.OcNumber, session.Nick(r.OcNumber)), OutputJsonContext.Default.FriendEventOutput),
        FriendRequestEvent { Request: var r } => OutputJsonContext.Serialize(
            new FriendRequestEventOutput(r.OcNumber, r.Nick, MessageLines.UtcTime(r.TimeUnixMs)), OutputJsonContext.Default.FriendRequestEventOutput),
        FileReceivedEvent { File: var f } => OutputJsonContext.Serialize(FileTransfers.Output(f), OutputJsonContext.Default.FileOutput),
        RoomInvitationEvent { Invitation: var i } => OutputJsonContext.Serialize(
            new RoomInvitationEventOutput(i.RoomId, i.RoomName, i.From, i.FromNick, MessageLines.UtcTime(i.TimeUnixMs)), OutputJsonContext.Default.RoomInvitationEventOutput),
        _ => null,
    };

    /// <summary>
    /// An entry of a room's stream as <c>oc listen --json</c> prints it: "roomMessage", "roomFile",
    /// a membership change as "room" (the shape ROOM_EVENT had, with the entry's seq and time), or
    /// "roomEntry" for a kind this oc does not know. Every one has "room".
    /// </summary>
    internal static string RoomJson(in RoomMessage r, string roomName, Func<uint, string> nick, Mentions mentions)
    {
        var time = MessageLines.UtcTime(r.TimeUnixMs);
        return r.Kind switch
        {
            RoomMessageKind.Text => OutputJsonContext.Serialize(
                new RoomMessageEventOutput(r.Seq, time, r.RoomId, roomName, r.From, nick(r.From), r.Text, mentions.Names(r.Text)),
                OutputJsonContext.Default.RoomMessageEventOutput),
            RoomMessageKind.File => OutputJsonContext.Serialize(
                new RoomFileEventOutput(r.Seq, time, r.RoomId, roomName, r.From, nick(r.From), RoomLines.FileId(r).ToString("x16", System.Globalization.CultureInfo.InvariantCulture), r.Text),
                OutputJsonContext.Default.RoomFileEventOutput),
            >= RoomMessageKind.Joined and <= RoomMessageKind.OwnerChanged => OutputJsonContext.Serialize(
                new RoomEventOutput(r.RoomId, roomName, RoomLines.KindName(r.Kind), r.Subject, r.Text, r.From, r.Seq, time),
                OutputJsonContext.Default.RoomEventOutput),
            _ => OutputJsonContext.Serialize(
                new RoomUnknownEventOutput(r.Seq, time, r.RoomId, roomName, (int)r.Kind, r.From, r.Subject, r.Text),
                OutputJsonContext.Default.RoomUnknownEventOutput),
        };
    }

    /// <summary>"you" for yourself, else the nickname.</summary>
    public static string Who(LiveSession session, uint number) => number == session.Me ? "you" : session.Nick(number);
}
