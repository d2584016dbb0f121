using System.CommandLine;
using System.Globalization;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Framing;

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
