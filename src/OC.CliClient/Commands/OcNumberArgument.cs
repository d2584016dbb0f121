using System.CommandLine;
using System.Globalization;
using OC.Protocol.Client;
using OC.Protocol.Framing;

namespace OC.CliClient.Commands;

/// <summary>The NUMBER argument of find and friends: six digits, checked before anything is sent.</summary>
internal static class OcNumberArgument
{
    public static Argument<string> Create(string description)
    {
        var argument = new Argument<string>("NUMBER") { Description = description };
        argument.Validators.Add(r =>
        {
            if (!TryParse(r.GetValueOrDefault<string>(), out _)) r.AddError($"'{r.GetValueOrDefault<string>()}' is not an OC number (six digits)");
        });
        return argument;
    }

    public static uint Parse(string text) => TryParse(text, out uint n) ? n : throw new CliException($"'{text}' is not an OC number", ExitCodes.Usage);

    /// <summary>Turns "unknown user" into a message that names the number.</summary>
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

    private static bool TryParse(string? text, out uint number) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number) && text!.Length == 6 && number >= 100_000;
}
