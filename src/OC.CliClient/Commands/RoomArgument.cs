using System.CommandLine;
using System.Globalization;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary>
/// The ROOM argument: a room id, six digits, written <c>#123456</c> or <c>123456</c> (the # tells a
/// room from an OC number where either could be meant, as in <c>oc send '#123456'</c>).
/// </summary>
internal static class RoomArgument
{
    public static Argument<string> Create(string description = "The room: its id, #123456 or 123456 (oc rooms lists yours)")
    {
        var argument = new Argument<string>("ROOM") { Description = description };
        argument.Validators.Add(r =>
        {
            if (!TryParse(r.GetValueOrDefault<string>(), out _)) r.AddError($"'{r.GetValueOrDefault<string>()}' is not a room id (#123456, six digits)");
        });
        return argument;
    }

    public static bool TryParse(string? text, out uint roomId)
    {
        roomId = 0;
        if (text is null || !OcNumber.TryParse(text.StartsWith('#') ? text[1..] : text, out OcNumber id)) return false;
        roomId = id.Value;
        return true;
    }

    public static uint Parse(string text) => TryParse(text, out var id) ? id : throw new CliException($"'{text}' is not a room id", ExitCodes.Usage);

    /// <summary>
    /// A room as oc send, oc history and oc chat's /to take it: its id (#123456 or 123456), or
    /// its name (#Lunch, or Lunch after --room), which must name exactly one of the user's rooms.
    /// False for text that is neither (empty, or only a #).
    /// </summary>
    public static bool TryParseReference(string? text, out RoomReference room)
    {
        room = default;
        if (TryParse(text, out uint id))
        {
            room = new RoomReference(id, null);
            return true;
        }

        string name = (text is not null && text.StartsWith('#') ? text[1..] : text ?? "").Trim();
        if (name.Length == 0) return false;
        room = new RoomReference(0, name);
        return true;
    }

    /// <summary>The id of the room a reference names; a name is looked up among the user's rooms (ROOM_LIST).</summary>
    public static async Task<uint> ResolveAsync(ApplianceLink link, RoomReference room, CancellationToken cancellationToken)
    {
        if (room.Name is null) return room.Id;
        var rooms = await link.CallAsync(OcRooms.ListAsync, cancellationToken).ConfigureAwait(false);
        return Find(rooms, room.Name, out string? problem) ?? throw new CliException(problem!, ExitCodes.Failure);
    }

    /// <summary>The one room of <paramref name="rooms"/> called <paramref name="name"/> (any case); else null and why.</summary>
    public static uint? Find(IReadOnlyList<RoomInfo> rooms, string name, out string? problem)
    {
        var matches = rooms.Where(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        problem = matches.Count switch
        {
            1 => null,
            0 => $"no room of yours is called '{name}' (oc rooms lists them; a room's id is #123456)",
            _ => $"several rooms of yours are called '{name}': {string.Join(", ", matches.Select(r => Format(r.RoomId)))}; use the id",
        };
        return matches.Count == 1 ? matches[0].RoomId : null;
    }

    /// <summary>How oc writes a room: #123456.</summary>
    public static string Format(uint roomId) => "#" + roomId.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Turns an unknown user into a message that names the number (the room errors name the room already).</summary>
    public static async Task<T> NamingUnknownAsync<T>(uint number, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
        {
            throw new CliException($"no user has OC number {number:D6}", e);
        }
    }
}

/// <summary>A room by its id (<c>Name</c> null) or by the name of one of the user's rooms (<c>Id</c> 0 until looked up).</summary>
internal readonly record struct RoomReference(uint Id, string? Name);
