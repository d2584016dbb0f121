using System.CommandLine;
using OC.CliClient.Terminal;

namespace OC.CliClient.Commands;

/// <summary>
/// Gives every command its <see cref="CommandContext"/> and is the one place where a failed command
/// becomes a line on stderr and an exit code (through <see cref="ErrorReport"/>).
/// </summary>
internal sealed class CommandHost(GlobalOptions global, CliEnvironment environment)
{
    public delegate Task<int> CommandRun(ParseResult parse, CommandContext context, CancellationToken cancellationToken);

    public void SetAction(Command command, CommandRun run)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Failures are caught inside the action, so that its task never ends faulted or
            // cancelled: System.CommandLine waits on it from its Ctrl-C/SIGTERM handler, which
            // would otherwise end the process with 130/143 before anything is reported.
            try
            {
                return await run(parse, new CommandContext(parse, global, environment), cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every failure, expected or not, ends as one line and an exit code.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return Report(e);
            }
        });
    }

    /// <summary>Prints <c>oc: MESSAGE</c> on stderr and returns the exit code for <paramref name="failure"/>.</summary>
    public int Report(Exception failure)
    {
        var (message, exitCode) = ErrorReport.Describe(failure);
        environment.Error.WriteLine("oc: " + ErrorReport.OneLine(message));
        environment.Error.Flush();
        return exitCode;
    }
}
