using System.Globalization;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Chat;

// /rooms and /members: the rooms of the user and a room's members, printed in the chat.
internal sealed partial class ChatLoop
{
    private async Task ShowRoomsAsync(CancellationToken cancellationToken)
    {
        await ShowAsync("your rooms", async () =>
        {
            var rooms = await _session.RoomsAsync(cancellationToken).ConfigureAwait(false);
            return rooms.Count == 0
                ? "No rooms yet: oc room create NAME, or oc room join ROOM"
                : string.Join(Environment.NewLine, rooms.Select(r => string.Create(CultureInfo.InvariantCulture,
                    $"{RoomArgument.Format(r.RoomId)}  {MessageLines.Visible(r.Name)}  {r.Members} member{(r.Members == 1 ? "" : "s")}{(r.Owner == _session.Me ? "  (yours)" : "")}")));
        }).ConfigureAwait(false);
    }

    private async Task ShowMembersAsync(string room, CancellationToken cancellationToken)
    {
        if (!RoomArgument.TryParse(room, out uint roomId))
        {
            _console.Warn("/members takes a room: /members #123456 (/rooms lists yours)");
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
