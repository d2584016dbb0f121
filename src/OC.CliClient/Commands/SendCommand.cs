using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc send NUMBER|#ROOM TEXT</c> or <c>oc send --room ROOM TEXT</c> (<c>-</c> reads the text from stdin): one message to a friend or a room.</summary>
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

          To a room: oc send '#482913' TEXT or oc send --room 482913 TEXT (quote the #: shells take it
          for a comment); a room's name works too when only one of your rooms has it: oc send '#Lunch'
          TEXT, oc send --room Lunch TEXT. Every member gets it, now or when they next look; you must
          be a member (else "not a member", exit code 1).

        Output:
          text    Sent (seq 42).              Sent to #482913 (seq 43).
          --json  {"seq":42,"to":654321,"time":"2026-11-25T18:00:00.123+00:00"}
                  {"seq":43,"room":482913,"time":"2026-11-25T18:00:01.5+00:00"}

        Examples:
          oc send 654321 "dinner at 8?"
          oc send '#482913' "lunch at 12, @bob?"
          oc send --room Lunch on my way
          oc send 654321 你好 🙂
          fortune | oc send 654321 -
        """;

    public static Command Create(CommandHost host)
    {
        var to = new Argument<string?>("TO")
        {
            Description = "The OC number of the friend to send to, or #ROOM: a room of yours (#123456, or #NAME when one of your rooms has that name)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var text = new Argument<string[]>("TEXT")
        {
            Description = "The message (several words are joined with spaces), or - to read it from stdin",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var room = new Option<string?>("--room")
        {
            Description = "Send to this room (#123456, 123456 or its name) instead of a friend: all the words are the text",
            HelpName = "ROOM",
        };
        var command = new Command("send", "Send a message to a friend or to a room") { to, text, room };
        command.Validators.Add(r =>
        {
            if (Words(r.GetValue(to), r.GetValue(text), r.GetValue(room)) is { Error: { } error }) r.AddError(error);
        });
        host.SetAction(command, (parse, context, ct) =>
        {
            var (target, words, _) = Words(parse.GetValue(to), parse.GetValue(text), parse.GetValue(room));
            return RunAsync(context, target, words, ct);
        });
        return command;
    }

    /// <summary>
    /// Who TO and --room name, and the words of the text: with --room, TO is the text's first word.
    /// Pure, for the parser's check and the run alike.
    /// </summary>
    internal static (SendTarget Target, string[] Words, string? Error) Words(string? to, string[]? text, string? room)
    {
        text ??= [];
        if (room is not null)
        {
            string[] words = to is null ? text : [to, .. text];
            if (!RoomArgument.TryParseReference(room, out var reference)) return (default, words, $"'{room}' is not a room (#123456, or the name of one of your rooms)");
            return words.Length == 0 ? (default, words, "the text of the message is missing") : (new SendTarget(0, reference), words, null);
        }

        if (to is null) return (default, text, "say whom to send to: NUMBER (a friend), #ROOM or --room ROOM");
        if (text.Length == 0) return (default, text, "the text of the message is missing");
        if (to.StartsWith('#'))
        {
            return RoomArgument.TryParseReference(to, out var reference)
                ? (new SendTarget(0, reference), text, null)
                : (default, text, $"'{to}' is not a room (#123456, or # and the name of one of your rooms)");
        }

        return OcNumber.TryParse(to, out var number)
            ? (new SendTarget(number.Value, default), text, null)
            : (default, text, $"'{to}' is not an OC number (six digits) nor a room (#123456)");
    }

    private static async Task<int> RunAsync(CommandContext context, SendTarget target, string[] words, CancellationToken cancellationToken)
    {
        string text = words is ["-"] ? ReadStdin(context.Environment) : string.Join(' ', words);
        CheckText(text);

        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        if (target.User == 0)
        {
            uint roomId = await RoomArgument.ResolveAsync(link, target.Room, cancellationToken).ConfigureAwait(false);
            // One id for the message, whatever the tries: sent again with it (after a rate limit's
            // wait), the appliance answers with the first SENT if it stored it already.
            byte[] id = OcMessages.NewMessageId();
            var roomSent = await link.CallAsync((c, t) => OcRoomMessages.SendAsync(c, roomId, text, id, t), cancellationToken).ConfigureAwait(false);
            context.Output.Result(new RoomSentOutput(roomSent.Seq, roomId, MessageLines.UtcTime(roomSent.TimeUnixMs)), OutputJsonContext.Default.RoomSentOutput,
                string.Create(CultureInfo.InvariantCulture, $"Sent to {RoomArgument.Format(roomId)} (seq {roomSent.Seq})."));
            return ExitCodes.Success;
        }

        uint to = target.User;
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

/// <summary>Where <c>oc send</c> goes: a friend (<c>User</c>), or a room when <c>User</c> is 0.</summary>
internal readonly record struct SendTarget(uint User, RoomReference Room);
