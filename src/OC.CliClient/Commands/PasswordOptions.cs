using System.CommandLine;

namespace OC.CliClient.Commands;

internal static class PasswordOptions
{
    /// <summary><c>--password-stdin</c>, for the commands that take a password.</summary>
    public static Option<bool> Stdin() => new("--password-stdin")
    {
        Description = "Read the password from the first line of stdin instead of asking on the terminal (for scripts)",
    };
}
