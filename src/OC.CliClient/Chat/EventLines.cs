using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Chat;

/// <summary>Live events as the lines <c>oc listen</c> and <c>oc chat</c> print (text and JSON).</summary>
internal static class EventLines
{
    /// <summary>The text line for an event; null for a delivery receipt (text shows none).</summary>
    public static string? Text(LiveSession session, OcEvent e) => e switch
    {
        MessageEvent { Message: var m } => MessageLines.Conversation(m.TimeUnixMs, Who(session, m.From), Who(session, m.To), m.Text),
        PresenceChangedEvent p => MessageLines.Presence(session.Nick(p.OcNumber), p.Online),
        FriendAddedEvent { Friend: var f } => MessageLines.FriendAdded(f.Nick, f.OcNumber),
        FriendRemovedEvent r => MessageLines.FriendRemoved(session.Nick(r.OcNumber), r.OcNumber),
        FriendRequestEvent { Request: var r } => MessageLines.FriendRequest(r.Nick, r.OcNumber, "oc friends accept", "oc friends decline"),
        FileReceivedEvent { File: var f } => MessageLines.FileReceived(session.Nick(f.From), f, "oc file get"),
        RoomChangedEvent { Change: var c } => MessageLines.RoomChanged(c, session.Me, c.Actor == session.Me ? "you" : session.Nick(c.Actor)),
        RoomInvitationEvent { Invitation: var i } => MessageLines.RoomInvitation(i),
        _ => null,
    };

    /// <summary>The JSON line for an event (every event has one, with its "type" first).</summary>
    public static string? Json(LiveSession session, OcEvent e) => e switch
    {
        MessageEvent { Message: var m } => OutputJsonContext.Serialize(
            new MessageEventOutput(m.Seq, MessageLines.UtcTime(m.TimeUnixMs), m.From, m.To, m.Text), OutputJsonContext.Default.MessageEventOutput),
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
        RoomChangedEvent { Change: var c } => OutputJsonContext.Serialize(
            new RoomEventOutput(c.RoomId, c.RoomName, RoomEventName(c.Kind), c.Subject, c.SubjectNick, c.Actor), OutputJsonContext.Default.RoomEventOutput),
        RoomInvitationEvent { Invitation: var i } => OutputJsonContext.Serialize(
            new RoomInvitationEventOutput(i.RoomId, i.RoomName, i.From, i.FromNick, MessageLines.UtcTime(i.TimeUnixMs)), OutputJsonContext.Default.RoomInvitationEventOutput),
        _ => null,
    };

    private static string RoomEventName(OC.Protocol.Messages.RoomEventKind kind) => kind switch
    {
        OC.Protocol.Messages.RoomEventKind.Joined => "joined",
        OC.Protocol.Messages.RoomEventKind.Left => "left",
        OC.Protocol.Messages.RoomEventKind.Kicked => "kicked",
        _ => "owner",
    };

    /// <summary>"you" for yourself, else the nickname.</summary>
    public static string Who(LiveSession session, uint number) => number == session.Me ? "you" : session.Nick(number);
}
