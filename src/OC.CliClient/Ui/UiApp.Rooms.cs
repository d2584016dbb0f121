using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Ui;

// Rooms as conversations: the list from ROOM_LIST (again after each membership change), their
// messages from ROOM_MESSAGE on the one cursor, their history from ROOM_HISTORY, their members'
// nicknames from ROOM_MEMBERS, their files from FILE_LIST for the room. A message that names me
// (@nick) always notifies.
internal sealed partial class UiApp
{
    private Conversation GetRoom(uint roomId)
    {
        long key = Conversation.KeyOf(roomId, room: true);
        if (!_conversations.TryGetValue(key, out var room))
        {
            room = new Conversation(roomId, "#" + roomId.ToString("D6", CultureInfo.InvariantCulture), isRoom: true) { Friend = false };
            _conversations[key] = room;
        }

        return room;
    }

    /// <summary>ROOM_LIST: the rooms I am in, with names and member counts; the others are left unlisted (their messages stay).</summary>
    private void RefreshRooms()
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var rooms = await _session.RoomsAsync(_stopTransfers.Token).ConfigureAwait(false);
                Post(() =>
                {
                    var mine = rooms.Select(r => r.RoomId).ToHashSet();
                    foreach (var c in _conversations.Values.Where(c => c.IsRoom)) c.Friend = mine.Contains(c.Number);
                    foreach (var info in rooms)
                    {
                        var room = GetRoom(info.RoomId);
                        room.Nick = info.Name;
                        room.Members = info.Members;
                        room.Friend = true;
                    }
                });
            }
#pragma warning disable CA1031 // An appliance without rooms, or a lost connection: the list keeps what it had.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        });
    }

    /// <summary>The invitations waiting (ROOM_INVITATIONS), at each connection: the live ones come as events.</summary>
    private void LoadInvitations()
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var waiting = await _session.RoomInvitationsAsync(_stopTransfers.Token).ConfigureAwait(false);
                Post(() =>
                {
                    foreach (var invitation in waiting.Where(i => !_invitations.Any(x => x.RoomId == i.RoomId))) _invitations.Add(invitation);
                });
            }
#pragma warning disable CA1031 // An appliance without rooms, or a lost connection: the list keeps what it had.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        });
    }

    /// <summary>Accepts or declines the invitation selected in the list; an accepted room becomes a conversation.</summary>
    private void RespondToRoom(RoomInvitation invitation, bool accept)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var info = await _session.RespondToRoomAsync(invitation.RoomId, accept, _stopTransfers.Token).ConfigureAwait(false);
                Post(() =>
                {
                    _invitations.RemoveAll(i => i.RoomId == invitation.RoomId);
                    if (info is { } joined)
                    {
                        var room = GetRoom(joined.RoomId);
                        room.Nick = joined.Name;
                        room.Members = joined.Members;
                        room.Friend = true;
                    }

                    _status = accept ? $"joined {Label(GetRoom(invitation.RoomId))}" : "invitation declined";
                });
            }
#pragma warning disable CA1031 // A refusal is one line on the status row.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Post(() => _status = ErrorReport.OneLine(ErrorReport.Describe(e).Message));
            }
        });
    }

    private void LoadMembers(Conversation room)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var members = await _session.RoomMembersAsync(room.Number, _stopTransfers.Token).ConfigureAwait(false);
                Post(() =>
                {
                    foreach (var m in members) room.MemberNicks[m.OcNumber] = m.Nick;
                    room.Members = members.Count;
                });
            }
#pragma warning disable CA1031 // Without the members, numbers stand for the nicknames unknown.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        });
    }

    private void ApplyRoomMessage(RoomMessage m)
    {
        var room = GetRoom(m.RoomId);
        if (m.Kind is RoomMessageKind.Joined or RoomMessageKind.Left or RoomMessageKind.Kicked or RoomMessageKind.OwnerChanged)
        {
            room.MemberNicks[m.Subject] = m.Text;
            RefreshRooms();
        }

        if (m.Kind == RoomMessageKind.File)
        {
            // The entry names the file; the panel lists it with its size and state from FILE_LIST.
            room.FilesLoaded = false;
            if (_filesShown && room == _current) LoadFiles(room);
        }

        if (!room.Add(RoomEntry(room, m)) || m.From == _session.Me || m.Kind is not (RoomMessageKind.Text or RoomMessageKind.File)) return;
        bool mention = m.Kind == RoomMessageKind.Text && m.Text.Contains("@" + _session.MyNick, StringComparison.OrdinalIgnoreCase);
        Arrived(room, $"{room.Nick}: {RoomNick(room, m.From)}: {m.Text}", mention);
    }

    /// <summary>A stream entry as a line: a member's text as a message, the rest as notices.</summary>
    private Entry RoomEntry(Conversation room, RoomMessage m)
    {
        string subject = m.Subject == _session.Me ? "you" : m.Text;
        string by = RoomNick(room, m.From);
        string? notice = m.Kind switch
        {
            RoomMessageKind.Text => null,
            RoomMessageKind.Joined when m.From != m.Subject => $"{subject} joined (invited by {by})",
            RoomMessageKind.Joined => $"{subject} joined",
            RoomMessageKind.Left => $"{subject} left",
            RoomMessageKind.Kicked => $"{subject} removed by {by}",
            RoomMessageKind.OwnerChanged => $"{subject} own{(m.Subject == _session.Me ? "" : "s")} the room now",
            RoomMessageKind.File => $"{by} sent the file {m.Text}",
            _ => $"{by}: an entry this oc does not know",
        };
        return new Entry
        {
            Seq = m.Seq,
            TimeUnixMs = m.TimeUnixMs,
            From = m.From,
            Text = notice ?? m.Text,
            Notice = notice is not null,
            MessageId = m.MessageId.Length > 0 ? m.MessageId : null,
        };
    }

    private string RoomNick(Conversation room, uint number) =>
        number == _session.Me ? _session.MyNick : room.MemberNicks.TryGetValue(number, out var nick) ? nick : _session.Nick(number);

    /// <summary>How the screen names a conversation: the nickname, or "#482913 Lunch" for a room.</summary>
    private static string Label(Conversation c) =>
        c.IsRoom ? $"#{c.Number:D6} {MessageLines.Visible(c.Nick)}" : MessageLines.Visible(c.Nick);
}
