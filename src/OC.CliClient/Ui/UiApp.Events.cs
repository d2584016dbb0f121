using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Ui;

// The session's events applied to the screen's state: conversations, unread counts, presence,
// requests and invitations, delivery marks, notifications.
internal sealed partial class UiApp
{
    private const int HistoryPage = 50;
    private readonly Dictionary<long, Conversation> _conversations = [];
    private readonly List<FriendRequestEntry> _requests = [];
    private readonly List<RoomInvitation> _invitations = [];
    private Conversation? _current;
    private string _connection = "connecting…";
    private string? _applianceName;
    private string? _status;
    private bool _focused = true;

    // Live once: what arrives from then on is new, also what a reconnect catches up on (a short
    // drop must not swallow a notification). The messages that waited for the screen to open
    // (the first SYNC) are counted as unread but notify nobody: a ring for each would be noise.
    private bool _live;

    private void OnConnected()
    {
        _connection = "syncing…";
        _applianceName = _session.ApplianceName ?? _applianceName;
        RefreshFriends();
    }

    private void OnLive()
    {
        _connection = "connected";
        _live = true;
        _applianceName = _session.ApplianceName ?? _applianceName;
        RefreshFriends();
        RefreshRooms();
        LoadInvitations();
        if (_current is { HistoryLoaded: false } current) LoadHistory(current);
        if (_current is { FilesLoaded: false } withFiles && _filesShown) LoadFiles(withFiles);
    }

    private void OnLost(string reason)
    {
        _connection = "reconnecting…";
        _status = "connection lost (" + ErrorReport.OneLine(reason) + "); reconnecting";
    }

    private void RefreshFriends()
    {
        foreach (var friend in _session.Friends())
        {
            var conversation = Get(friend.OcNumber);
            conversation.Nick = friend.Nick;
            conversation.Online = friend.Online;
            conversation.Friend = true;
        }
    }

    private Conversation Get(uint number)
    {
        if (!_conversations.TryGetValue(number, out var conversation))
        {
            conversation = new Conversation(number, _session.Nick(number)) { Friend = false };
            _conversations[conversation.Key] = conversation;
        }

        return conversation;
    }

    private void Apply(OcEvent e)
    {
        switch (e)
        {
            case MessageEvent { Message: var m }:
                uint peer = m.From == _session.Me ? m.To : m.From;
                var conversation = Get(peer);
                conversation.Nick = _session.Nick(peer);
                var entry = new Entry { Seq = m.Seq, TimeUnixMs = m.TimeUnixMs, From = m.From, Text = m.Text, MessageId = m.MessageId };
                if (!conversation.Add(entry) || m.From == _session.Me) break;
                Arrived(conversation, _session.Nick(m.From) + ": " + m.Text, mention: false);
                break;
            case RoomMessageEvent { Message: var rm }:
                ApplyRoomMessage(rm);
                break;
            case DeliveredEvent d:
                if (_receipts.TryDelivered(d.Seq, out var sentHere))
                {
                    sentHere.Delivered = true;
                    break;
                }

                // A message of mine sent from another device, or from before this run.
                foreach (var c in _conversations.Values)
                {
                    var mine = c.Entries.FirstOrDefault(x => x.Seq == d.Seq && x.From == _session.Me);
                    if (mine is not null) mine.Delivered = true;
                }

                break;
            case PresenceChangedEvent p:
                var friend = Get(p.OcNumber);
                friend.Online = p.Online;
                _status = MessageLines.Visible(MessageLines.Presence(_session.Nick(p.OcNumber), p.Online))[2..];
                break;
            case FriendAddedEvent { Friend: var f }:
                var added = Get(f.OcNumber);
                added.Nick = f.Nick;
                added.Online = f.Online;
                added.Friend = true;
                _requests.RemoveAll(r => r.OcNumber == f.OcNumber);
                _status = MessageLines.Visible(MessageLines.FriendAdded(f.Nick, f.OcNumber))[2..];
                break;
            case FriendRemovedEvent r:
                if (_conversations.TryGetValue(r.OcNumber, out var removed))
                {
                    removed.Friend = false;
                    removed.Online = false;
                }

                break;
            case FriendRequestEvent { Request: var request }:
                if (!_requests.Any(x => x.OcNumber == request.OcNumber)) _requests.Add(request);
                if (_live) _notifier.Notify("oc", MessageLines.Visible(request.Nick) + " wants to be your friend");
                break;
            case RoomInvitationEvent { Invitation: var invitation }:
                if (!_invitations.Any(x => x.RoomId == invitation.RoomId)) _invitations.Add(invitation);
                break;
            case RoomChangedEvent { Change: var change }:
                RefreshRooms();
                _status = MessageLines.RoomChanged(change, _session.Me, change.Actor == _session.Me ? "you" : _session.Nick(change.Actor))[2..];
                break;
            case FileReceivedEvent { File: var file } when file.Room != 0:
                // A room file: the room's stream has an entry for it too, which shows it (as oc does).
                break;
            case FileReceivedEvent { File: var file }:
                var from = Get(file.From);
                from.AddFile(file);
                from.Add(new Entry
                {
                    TimeUnixMs = file.CreatedUnixMs,
                    From = file.From,
                    Notice = true,
                    Text = $"{_session.Nick(file.From)} sent {file.Name} ({TransferProgress.Bytes((long)file.Size)}): F2 shows the files",
                });
                Arrived(from, _session.Nick(file.From) + " sent " + file.Name, mention: false);
                break;
        }
    }

    /// <summary>
    /// Something new in <paramref name="conversation"/>: unread when it is not the one in view, and a
    /// notification when it is not in view or the terminal is not focused (or it mentions me).
    /// </summary>
    private void Arrived(Conversation conversation, string text, bool mention)
    {
        bool inView = conversation == _current;
        if (!inView) conversation.Unread++;
        if (_live && (!inView || !_focused || mention)) _notifier.Notify("oc", text);
    }

    /// <summary>Asks for the page of history before the oldest message known (the newest page the first time).</summary>
    private void LoadHistory(Conversation conversation)
    {
        if (conversation.HistoryLoading || (conversation.HistoryLoaded && !conversation.MoreHistory)) return;
        conversation.HistoryLoading = true;
        ulong before = conversation.HistoryLoaded ? conversation.OldestSeq : 0;
        _ = Task.Run(async () =>
        {
            try
            {
                bool more;
                Func<List<Entry>> entries;
                if (conversation.IsRoom)
                {
                    var (roomMore, roomMessages) = await _session.RoomHistoryAsync(conversation.Number, before, HistoryPage, _stopTransfers.Token).ConfigureAwait(false);
                    more = roomMore;
                    entries = () => [.. roomMessages.Select(m => RoomEntry(conversation, m))];
                }
                else
                {
                    var (userMore, messages) = await _session.HistoryAsync(conversation.Number, before, HistoryPage, _stopTransfers.Token).ConfigureAwait(false);
                    more = userMore;
                    entries = () => [.. messages.Select(m => new Entry { Seq = m.Seq, TimeUnixMs = m.TimeUnixMs, From = m.From, Text = m.Text, MessageId = m.MessageId })];
                }

                Post(() =>
                {
                    conversation.AddOlder(entries());
                    conversation.MoreHistory = more;
                    conversation.HistoryLoaded = true;
                    conversation.HistoryLoading = false;
                });
            }
#pragma warning disable CA1031 // Any failure is one line on the status row; the screen goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Post(() =>
                {
                    conversation.HistoryLoading = false;
                    _status = "history cannot be loaded just now: " + ErrorReport.OneLine(ErrorReport.Describe(e).Message);
                });
            }
        });
    }

    /// <summary>Opens a conversation: it is in view, its unread count clears, its history loads.</summary>
    private void Open(Conversation conversation)
    {
        _current = conversation;
        conversation.Unread = 0;
        _scroll = 0;
        if (!conversation.HistoryLoaded) LoadHistory(conversation);
        if (conversation.IsRoom) LoadMembers(conversation);
        if (_filesShown && !conversation.FilesLoaded) LoadFiles(conversation);
    }

    /// <summary>The list's order: the most recent activity first, then by nickname.</summary>
    private List<Conversation> Ordered() =>
        [.. _conversations.Values
            .Where(c => c.Friend || c.Entries.Count > 0)
            .OrderByDescending(c => c.LastActivityUnixMs)
            .ThenBy(c => c.Nick, StringComparer.OrdinalIgnoreCase)
            .ThenBy(c => c.Number)];
}
