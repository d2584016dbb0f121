using System.CommandLine;
using OC.Protocol;
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
            if (!OcNumber.TryParse(r.GetValueOrDefault<string>(), out _)) r.AddError($"'{r.GetValueOrDefault<string>()}' is not an OC number (six digits)");
        });
        return argument;
    }

    public static uint Parse(string text) => OcNumber.TryParse(text, out var n) ? n : throw new CliException($"'{text}' is not an OC number", ExitCodes.Usage);

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
}
