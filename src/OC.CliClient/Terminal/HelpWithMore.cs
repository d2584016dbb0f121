using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace OC.CliClient.Terminal;

/// <summary>
/// The standard --help, followed by more text (notes, examples) for commands that have some. Kept
/// out of the descriptions so that the command list of <c>oc --help</c> stays one line per command.
/// </summary>
internal sealed class HelpWithMore(HelpAction standard, IReadOnlyDictionary<Command, string> examples) : SynchronousCommandLineAction
{
    // Like the standard help: `oc login --help` must work without the NUMBER it would need.
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        int exitCode = standard.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(text.TrimEnd());
            output.WriteLine();
        }

        return exitCode;
    }

    /// <summary>Replaces the action of the root's --help option (recursive, so it serves every command).</summary>
    public static void Install(RootCommand root, IReadOnlyDictionary<Command, string> examples)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithMore((HelpAction)help.Action!, examples);
    }
}
