using System.Globalization;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

// Rooms as conversations: /to #ROOM, /rooms (with what is unread here), /members, and what an
// entry of a room's stream does to the chat.
internal sealed partial class ChatLoop
{
    // Per room: messages and files of others shown in this chat while the room was not the current
    // conversation (since the start, or since it last was). Touched by the input and the session's loop.
    private readonly Dictionary<uint, int> _unread = [];

    /// <summary>Counts an entry shown; the first room message with no conversation chosen yet makes its room the current one.</summary>
    private void Heard(in RoomMessage entry)
    {
        var current = _current;
        bool here = current is { IsRoom: true } && current.Id == entry.RoomId;
        if (!here && RoomLines.IsSaid(entry) && entry.From != _session.Me)
        {
            lock (_unread) _unread[entry.RoomId] = _unread.GetValueOrDefault(entry.RoomId) + 1;
        }

        if (current is null && entry.Kind == RoomMessageKind.Text && entry.From != _session.Me)
        {
            SwitchTo(new ChatPeer(entry.RoomId, IsRoom: true));
        }
        else if (here && entry.Subject == _session.Me && entry.Kind is RoomMessageKind.Left or RoomMessageKind.Kicked)
        {
            // Out of the room (from here or elsewhere): lines typed now would only be refused.
            SwitchTo(null);
            _console.Print("* no conversation now: /to NUMBER or /to #ROOM");
        }
    }

    private void SeenRoom(uint roomId)
    {
        lock (_unread) _unread.Remove(roomId);
    }

    private int Unread(uint roomId)
    {
        lock (_unread) return _unread.GetValueOrDefault(roomId);
    }

    /// <summary>/to #ROOM: a room of the user's, by id or by name; refused for a room they are not in.</summary>
    private async Task ToRoomAsync(string argument, CancellationToken cancellationToken)
    {
        if (!RoomArgument.TryParseReference(argument, out var reference))
        {
            _console.Warn("/to #ROOM takes a room: /to #123456 or /to #NAME (/rooms lists yours)");
            return;
        }

        List<RoomInfo> rooms;
        try
        {
            rooms = await _session.RoomsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OcErrorException e) when (!ApplianceLink.IsTransient(e))
        {
            _console.Warn(ErrorReport.Describe(e));
            return;
        }
        catch (Exception e) when (ApplianceLink.IsTransient(e) || e is ObjectDisposedException)
        {
            _console.Warn("your rooms cannot be listed just now, so /to #ROOM cannot check it: " + ErrorReport.OneLine(e.Message));
            return;
        }

        uint? roomId = reference.Name is null ? reference.Id : RoomArgument.Find(rooms, reference.Name, out string? problem) ?? Warn(problem!);
        if (roomId is not { } id) return;
        if (!rooms.Any(r => r.RoomId == id))
        {
            _console.Warn($"you are not a member of {RoomArgument.Format(id)} (/rooms lists yours; oc room join ROOM joins an open one)");
            return;
        }

        SwitchTo(new ChatPeer(id, IsRoom: true));
        var room = rooms.First(r => r.RoomId == id);
        _console.Print(string.Create(CultureInfo.InvariantCulture,
            $"Talking in {RoomLines.Label(id, room.Name)} ({room.Members} member{(room.Members == 1 ? "" : "s")}); /members lists them."));
    }

    private uint? Warn(string problem)
    {
        _console.Warn(problem);
        return null;
    }

    private async Task ShowRoomsAsync(CancellationToken cancellationToken)
    {
        await ShowAsync("your rooms", async () =>
        {
            var rooms = await _session.RoomsAsync(cancellationToken).ConfigureAwait(false);
            return rooms.Count == 0
                ? "No rooms yet: oc room create NAME, or oc room join ROOM"
                : string.Join(Environment.NewLine, rooms.Select(r => string.Create(CultureInfo.InvariantCulture,
                    $"{RoomArgument.Format(r.RoomId)}  {MessageLines.Visible(r.Name)}  {r.Members} member{(r.Members == 1 ? "" : "s")}{(r.Owner == _session.Me ? "  (yours)" : "")}{RoomUnread.Text(Unread(r.RoomId))}")));
        }).ConfigureAwait(false);
    }

    private async Task ShowMembersAsync(string room, CancellationToken cancellationToken)
    {
        uint roomId;
        if (room.Length == 0 && _current is { IsRoom: true } current)
        {
            roomId = current.Id;
        }
        else if (!RoomArgument.TryParse(room, out roomId))
        {
            _console.Warn("/members takes a room: /members #123456 (/rooms lists yours), or none in a room (/to #ROOM)");
            return;
        }

        await ShowAsync("the members", async () =>
        {
            var members = await _session.RoomMembersAsync(roomId, cancellationToken).ConfigureAwait(false);
            return string.Join(Environment.NewLine, members.Select(m => string.Create(CultureInfo.InvariantCulture,
                $"{m.OcNumber:D6}  {MessageLines.Visible(m.Nick)}  {(m.Online ? "online" : "offline")}{(m.Owner ? "  owner" : "")}")));
        }).ConfigureAwait(false);
    }

    /// <summary>Prints what <paramref name="load"/> returns; a refusal or a lost connection is one warning, and the chat goes on.</summary>
    private async Task ShowAsync(string what, Func<Task<string>> load)
    {
        try
        {
            _console.Print(await load().ConfigureAwait(false));
        }
        catch (OcErrorException e) when (!ApplianceLink.IsTransient(e))
        {
            _console.Warn(ErrorReport.Describe(e));
        }
        catch (Exception e) when (ApplianceLink.IsTransient(e) || e is ObjectDisposedException)
        {
            _console.Warn($"{what} cannot be listed just now: " + ErrorReport.OneLine(e.Message));
        }
    }
}
