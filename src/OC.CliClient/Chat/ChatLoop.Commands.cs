using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;

namespace OC.CliClient.Chat;

internal sealed partial class ChatLoop
{
    public const string Help = """
        /to NUMBER   talk to this friend from now on (a friend's nick works too); the prompt shows who
        /to #ROOM    talk in this room of yours from now on (#123456, or # and the room's name)
        /who         your friends, and who is online
        /send PATH   send a file to the current friend or room (in the background; run again to resume)
        /get FILE_ID [PATH]
                     download a file you were sent (to its name in this folder, or PATH)
        /accept NUMBER   accept a friend request (you are friends from now on)
        /decline NUMBER  decline a friend request (they are not told)
        /requests    the friend requests waiting: to you, and yours
        /rooms       the rooms you are a member of, with the messages unread in this chat (oc room ... manages them)
        /members [ROOM]  a room's members (the current room's without ROOM), who is online, who owns it
        /help        this list
        /quit        leave (so do Ctrl-D on an empty line and Ctrl-C)
        Any other line is a message to the current conversation (start it with // to send a line that
        begins with /). Messages from any friend and any room of yours are shown as they come.
        """;

    /// <summary>A slash command; false when it is /quit.</summary>
    private async Task<bool> CommandAsync(string line, CancellationToken cancellationToken)
    {
        string[] words = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string argument = words.Length > 1 ? words[1] : "";
        switch (words[0].ToLowerInvariant())
        {
            case "/quit" or "/exit" or "/q":
                return false;
            case "/help" or "/?":
                _console.Print(Help.TrimEnd());
                return true;
            case "/who":
                _console.Print(UserLines.Format(
                    [.. _session.Friends().Select(f => new UserOutput(f.OcNumber, f.Nick, f.Online, f.Friend))],
                    "No friends yet. Add one with: oc friends add NUMBER"));
                return true;
            case "/to" when argument.Length == 0:
                _console.Print(_current switch
                {
                    null => "No conversation yet: /to NUMBER or /to #ROOM.",
                    { IsRoom: true } room => $"Talking in {RoomLines.Label(room.Id, _session.RoomName(room.Id))}.",
                    var friend => $"Talking to {_session.Nick(friend.Id)} ({Number(friend.Id)}).",
                });
                return true;
            case "/to" when argument.StartsWith('#'):
                await ToRoomAsync(argument, cancellationToken).ConfigureAwait(false);
                return true;
            case "/to":
                await ToAsync(argument, cancellationToken).ConfigureAwait(false);
                return true;
            case "/send":
                StartSend(argument);
                return true;
            case "/get":
                StartGet(argument);
                return true;
            case "/accept" or "/decline":
                await RespondAsync(argument, words[0].Equals("/accept", StringComparison.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false);
                return true;
            case "/requests":
                await ShowRequestsAsync(cancellationToken).ConfigureAwait(false);
                return true;
            case "/rooms":
                await ShowRoomsAsync(cancellationToken).ConfigureAwait(false);
                return true;
            case "/members":
                await ShowMembersAsync(argument, cancellationToken).ConfigureAwait(false);
                return true;
            default:
                _console.Warn($"unknown command {words[0]}; /help lists them");
                return true;
        }
    }

    private async Task RespondAsync(string who, bool accept, CancellationToken cancellationToken)
    {
        string verb = accept ? "/accept" : "/decline";
        if (!LoginCommand.TryParseNumber(who, out uint number))
        {
            _console.Warn($"{verb} takes the OC number of the user who asked you (/requests lists them)");
            return;
        }

        try
        {
            var card = await _session.RespondAsync(number, accept, cancellationToken).ConfigureAwait(false);
            _console.Print(card is { } friend
                ? MessageLines.FriendAdded(friend.Nick, friend.OcNumber)
                : $"* declined the friend request of {NickAndNumber(number)}");
        }
        catch (OcErrorException e) when (!ApplianceLink.IsTransient(e))
        {
            _console.Warn(ErrorReport.Describe(e));
        }
        catch (Exception e) when (ApplianceLink.IsTransient(e) || e is ObjectDisposedException)
        {
            _console.Warn($"{verb} {Number(number)} was not sent: {ErrorReport.OneLine(e.Message)}");
        }
    }

    /// <summary>"bob (654321)", or the number alone for someone this chat has no nick for.</summary>
    private string NickAndNumber(uint number)
    {
        string nick = _session.Nick(number);
        return nick == Number(number) ? nick : $"{nick} ({Number(number)})";
    }

    private async Task ShowRequestsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var requests = await _session.RequestsAsync(cancellationToken).ConfigureAwait(false);
            _console.Print(FriendsCommand.RequestLines(requests, "/accept NUMBER, or /decline NUMBER"));
        }
        catch (OcErrorException e) when (!ApplianceLink.IsTransient(e))
        {
            _console.Warn(ErrorReport.Describe(e));
        }
        catch (Exception e) when (ApplianceLink.IsTransient(e) || e is ObjectDisposedException)
        {
            _console.Warn("the friend requests cannot be listed just now: " + ErrorReport.OneLine(e.Message));
        }
    }

    private async Task ToAsync(string who, CancellationToken cancellationToken)
    {
        if (LoginCommand.TryParseNumber(who, out uint number))
        {
            await SwitchToAsync(number, cancellationToken).ConfigureAwait(false);
            return;
        }

        var matches = _session.Friends().Where(f => string.Equals(f.Nick, who, StringComparison.OrdinalIgnoreCase)).ToList();
        switch (matches.Count)
        {
            case 1:
                await SwitchToAsync(matches[0].OcNumber, cancellationToken).ConfigureAwait(false);
                break;
            case 0:
                _console.Warn($"'{who}' is neither an OC number nor the nick of a friend (/who lists them)");
                break;
            default:
                _console.Warn($"several friends are called {who}: " + string.Join(", ", matches.Select(f => Number(f.OcNumber))) + "; use the number");
                break;
        }
    }

    /// <summary>Makes <paramref name="number"/> the current conversation, after a look-up when connected (to know the nick, and warn about a non-friend).</summary>
    private async Task SwitchToAsync(uint number, CancellationToken cancellationToken)
    {
        if (number == _session.Me)
        {
            _console.Warn("that is you; /to the OC number of a friend");
            return;
        }

        try
        {
            var card = await _session.FindAsync(number, cancellationToken).ConfigureAwait(false);
            if (card is { Friend: false }) _console.Warn($"{Number(number)} ({card.Value.Nick}) is not your friend: messages to them will be refused");
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
        {
            _console.Warn($"no user has OC number {Number(number)}");
            return;
        }

        SwitchTo(new ChatPeer(number, IsRoom: false));
    }

    /// <summary>Makes <paramref name="peer"/> the current conversation and shows it in the prompt.</summary>
    private void SwitchTo(ChatPeer? peer)
    {
        _current = peer;
        if (peer is { IsRoom: true }) SeenRoom(peer.Id);
        _console.SetPrompt(PromptFor(peer));
    }

    /// <summary>How the chat shows the session's events.</summary>
    private sealed class View(ChatLoop chat) : ILiveView
    {
        private LiveSession Session => chat._session;

        private ChatConsole Console => chat._console;

        public void Connected(bool again)
        {
            if (again)
            {
                Console.Print($"* connected again to {Session.Server}");
                return;
            }

            Console.Print($"* connected to {Session.Server} as {Session.MyNick} ({Number(Session.Me)}); /help lists the commands");
        }

        public void Live(bool again)
        {
            if (again) return;
            var online = Session.Friends().Where(f => f.Online).Select(f => f.Nick).ToList();
            Console.Print(online.Count == 0 ? "* no friend is online" : "* online: " + string.Join(", ", online));
            if (chat._current is { } current) Console.SetPrompt(chat.PromptFor(current));
            chat._live.TrySetResult();
        }

        public void Show(OcEvent e)
        {
            switch (e)
            {
                case DeliveredEvent d:
                    if (chat._receipts.TryDelivered(d.Seq, out uint to)) chat.PrintDelivered(to);
                    return;
                case FileReceivedEvent { File: var f }:
                    Console.Print(MessageLines.FileReceived(Session.Nick(f.From), f, "/get"));
                    return;
                case FriendRequestEvent { Request: var r }:
                    Console.Print(MessageLines.FriendRequest(r.Nick, r.OcNumber, "/accept", "/decline"));
                    return;
                case MessageEvent { Message: var m } when m.To == Session.Me && chat._current is null:
                    // With no conversation chosen yet, the first friend who writes becomes it.
                    Console.PrintSafe(EventLines.Text(Session, e, chat._mentions)!);
                    chat.SwitchTo(new ChatPeer(m.From, IsRoom: false));
                    return;
                case RoomMessageEvent { Message: var r }:
                    Console.PrintSafe(EventLines.Text(Session, e, chat._mentions)!);
                    chat.Heard(r);
                    return;
            }

            if (EventLines.Text(Session, e, chat._mentions) is { } line) Console.PrintSafe(line);
        }

        public void Lost(string reason) => Console.Print($"* connection lost ({ErrorReport.OneLine(reason)}); reconnecting");
    }
}
