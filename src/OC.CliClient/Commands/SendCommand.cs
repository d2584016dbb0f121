using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc send NUMBER TEXT</c> (or <c>-</c> to read the text from stdin): one message to a friend.</summary>
internal static class SendCommand
{
    public const string MoreHelp = """
        Notes:
          One message per call; with TEXT = - the whole of stdin is the message (several lines make one
          message; one line break at the end is dropped). At most 4096 bytes of UTF-8; a message of
          only spaces or line breaks is refused as empty.
          "Sent" means the appliance has stored the message on its disk; the friend gets it now if
          they are online, else the next time they run oc listen, oc chat or oc history.
          A script that sends faster than the appliance's limit (20 a second, 60 at once by default)
          is slowed down: oc waits and sends again by itself ("oc: rate limited by the appliance;
          retrying in 1 s" on stderr), and the message is sent once.

        Output:
          text    Sent (seq 42).
          --json  {"seq":42,"to":654321,"time":"2026-11-25T18:00:00.123+00:00"}

        Examples:
          oc send 654321 "dinner at 8?"
          oc send 654321 你好 🙂
          fortune | oc send 654321 -
        """;

    public static Command Create(CommandHost host)
    {
        var number = OcNumberArgument.Create("The OC number of the friend to send to");
        var text = new Argument<string[]>("TEXT")
        {
            Description = "The message (several words are joined with spaces), or - to read it from stdin",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("send", "Send a message to a friend") { number, text };
        host.SetAction(command, (parse, context, ct) =>
            RunAsync(context, OcNumberArgument.Parse(parse.GetValue(number)!), parse.GetValue(text)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, uint to, string[] words, CancellationToken cancellationToken)
    {
        string text = words is ["-"] ? ReadStdin(context.Environment) : string.Join(' ', words);
        CheckText(text);

        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var sent = await link.CallAsync((c, t) => OcMessages.SendAsync(c, to, text, null, t), cancellationToken).ConfigureAwait(false);
        context.Output.Result(new SentOutput(sent.Seq, to, MessageLines.UtcTime(sent.TimeUnixMs)), OutputJsonContext.Default.SentOutput,
            string.Create(CultureInfo.InvariantCulture, $"Sent (seq {sent.Seq})."));
        return ExitCodes.Success;
    }

    /// <summary>The rules of SEND (1..4096 bytes of UTF-8, not only whitespace) as a usage error, before anything is sent.</summary>
    internal static void CheckText(string text)
    {
        try
        {
            OcMessages.CheckText(text);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message.Split(" (Parameter")[0]);
        }
    }

    private static string ReadStdin(CliEnvironment environment)
    {
        string text = environment.OpenIn().ReadToEnd();
        if (text.EndsWith("\r\n", StringComparison.Ordinal)) return text[..^2];
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
