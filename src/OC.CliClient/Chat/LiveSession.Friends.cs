using System.Globalization;
using OC.CliClient.Commands;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

internal sealed partial class LiveSession
{
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, UserCard> _friends = [];
    private readonly Dictionary<uint, string> _nicks = [];
    private readonly HashSet<ulong> _filesShown = [];
    private readonly HashSet<(uint Number, long Time)> _requestsShown = [];

    /// <summary>The friends as last known, ordered by OC number, with their presence.</summary>
    public List<UserCard> Friends()
    {
        lock (_lock) return [.. _friends.Values.OrderBy(f => f.OcNumber)];
    }

    /// <summary>The nickname of a user met so far; the OC number when it is not known.</summary>
    public string Nick(uint number)
    {
        if (number == Me) return MyNick;
        lock (_lock)
        {
            return _nicks.TryGetValue(number, out var nick) ? nick : number.ToString("D6", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// FIND_USER over the current connection: the user's card, or null when there is no connection
    /// just now. An unknown number is an <see cref="OcErrorException"/> (UnknownUser).
    /// </summary>
    public async Task<UserCard?> FindAsync(uint number, CancellationToken cancellationToken)
    {
        if (CurrentLink is not { } link) return null;
        try
        {
            var card = await link.CallAsync((c, t) => OcFriends.FindAsync(c, number, t), cancellationToken).ConfigureAwait(false);
            lock (_lock) _nicks[number] = card.Nick;
            return card;
        }
        catch (Exception e) when (ApplianceLink.IsTransient(e) || e is ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// FRIEND_RESPOND over the current connection (<c>/accept</c>, <c>/decline</c>): the new friend's
    /// card, or null after a decline. ERROR replies are thrown as they are; with no connection just
    /// now, an <see cref="OcConnectionException"/> (the chat's input does not wait for one).
    /// </summary>
    public async Task<UserCard?> RespondAsync(uint number, bool accept, CancellationToken cancellationToken)
    {
        var link = CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back");
        if (!accept)
        {
            await link.CallAsync((c, t) => OcFriends.DeclineAsync(c, number, t), cancellationToken).ConfigureAwait(false);
            return null;
        }

        var card = await link.CallAsync((c, t) => OcFriends.AcceptAsync(c, number, t), cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            // The appliance tells this user's other sessions, not this one (it has the reply).
            _friends[card.OcNumber] = card;
            _nicks[card.OcNumber] = card.Nick;
        }

        return card;
    }

    /// <summary>FRIEND_REQUESTS over the current connection (<c>/requests</c>); as <see cref="RespondAsync"/> without one.</summary>
    public async Task<List<FriendRequestEntry>> RequestsAsync(CancellationToken cancellationToken)
    {
        var link = CurrentLink ?? throw new OcConnectionException("no connection to the appliance just now; try again once it is back");
        return await link.CallAsync(OcFriends.RequestsAsync, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The friend requests waiting for this user when a connection starts, as the events that
    /// would have announced them (shown once per run each); none from an appliance without them.
    /// </summary>
    private static async Task<List<OcEvent>> WaitingRequestsAsync(ApplianceLink link, CancellationToken cancellationToken)
    {
        try
        {
            var requests = await link.CallAsync(OcFriends.RequestsAsync, cancellationToken).ConfigureAwait(false);
            return [.. requests.Where(r => !r.Outgoing).Select(r => (OcEvent)new FriendRequestEvent(r))];
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownFrameType)
        {
            return [];
        }
    }

    /// <summary>Brings the view up to date and shows one event (the messages this process sent itself are not shown again).</summary>
    private async Task ShowAsync(ApplianceLink link, ILiveView view, OcEvent e, CancellationToken cancellationToken)
    {
        switch (e)
        {
            case MessageEvent { Message: var m }:
                if (m.From == Me && SentHere(m.Seq)) return;
                await LearnNickAsync(link, m.From == Me ? m.To : m.From, cancellationToken).ConfigureAwait(false);
                break;
            case PresenceChangedEvent p:
                lock (_lock)
                {
                    if (_friends.TryGetValue(p.OcNumber, out var card)) _friends[p.OcNumber] = card with { Online = p.Online };
                }

                await LearnNickAsync(link, p.OcNumber, cancellationToken).ConfigureAwait(false);
                break;
            case FriendAddedEvent { Friend: var friend }:
                lock (_lock)
                {
                    _friends[friend.OcNumber] = friend with { Friend = true };
                    _nicks[friend.OcNumber] = friend.Nick;
                }

                break;
            case FriendRequestEvent { Request: var request }:
                // At the start and live: a request is shown once per run (the same one may come both ways).
                lock (_lock)
                {
                    if (!_requestsShown.Add((request.OcNumber, request.TimeUnixMs))) return;
                    _nicks[request.OcNumber] = request.Nick;
                }

                break;
            case FriendRemovedEvent removed:
                lock (_lock) _friends.Remove(removed.OcNumber);
                await LearnNickAsync(link, removed.OcNumber, cancellationToken).ConfigureAwait(false);
                break;
            case RoomMessageEvent { Message: var entry }:
                if (!await PrepareRoomEntryAsync(link, entry, cancellationToken).ConfigureAwait(false)) return;
                break;
            case RoomChangedEvent { Change: var change }:
                LearnFromRoomEvent(change);
                return;
            case FileReceivedEvent { File.Room: not 0 }:
                // A room file: the room stream's File entry says so, in the room's order (and to a
                // member who was offline, at SYNC); the notice of the same file is not shown twice.
                return;
            case FileReceivedEvent { File: var file }:
                // The appliance repeats the notice at each login until the file is downloaded: once per run is enough.
                lock (_lock)
                {
                    if (!_filesShown.Add(file.FileId)) return;
                }

                await LearnNickAsync(link, file.From, cancellationToken).ConfigureAwait(false);
                break;
        }

        view.Show(e);
    }

    private async Task LearnNickAsync(ApplianceLink link, uint number, CancellationToken cancellationToken)
    {
        if (number == Me) return;
        lock (_lock)
        {
            if (_nicks.ContainsKey(number)) return;
        }

        string nick;
        try
        {
            nick = (await link.CallAsync((c, t) => OcFriends.FindAsync(c, number, t), cancellationToken).ConfigureAwait(false)).Nick;
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
        {
            nick = number.ToString("D6", CultureInfo.InvariantCulture);
        }

        lock (_lock) _nicks[number] = nick;
    }

    /// <summary>
    /// Takes the friend list of a new connection. After a lost connection, returns what changed
    /// meanwhile as the events that would have said so (friends added or removed, presence);
    /// <see cref="ShowAsync"/> applies them as it shows them.
    /// </summary>
    private List<OcEvent> UpdateFriends(List<UserCard> friends, bool again)
    {
        var missed = new List<OcEvent>();
        lock (_lock)
        {
            foreach (var friend in friends) _nicks[friend.OcNumber] = friend.Nick;
            if (!again)
            {
                _friends.Clear();
                foreach (var friend in friends) _friends[friend.OcNumber] = friend;
                return missed;
            }

            var now = friends.Select(f => f.OcNumber).ToHashSet();
            missed.AddRange(_friends.Keys.Where(n => !now.Contains(n)).Order().Select(n => new FriendRemovedEvent(n)));
            foreach (var friend in friends)
            {
                if (!_friends.TryGetValue(friend.OcNumber, out var old)) missed.Add(new FriendAddedEvent(friend));
                else if (old.Online != friend.Online) missed.Add(new PresenceChangedEvent(friend.OcNumber, friend.Online));
            }
        }

        return missed;
    }
}
