using System.CommandLine;
using OC.CliClient.Chat;
using OC.CliClient.Commands;

namespace OC.CliClient.Ui;

/// <summary><c>oc ui</c> (and <c>oc</c> alone on a terminal): the full-screen client.</summary>
internal static class UiCommand
{
    public static readonly string MoreHelp = "Keys:\n"
        + string.Concat(UiApp.HelpLines.Select(line => "  " + line + "\n")) + """

        Notes:
          Left, your friends: ● online, ○ offline, (3) unread messages, the time of the last one;
          then friend requests waiting for your answer and room invitations. Middle, the conversation
          open, newest at the bottom, with day separators and ✓ once a message reached its recipient
          (… while it is on its way). Right (F2), the files of the conversation with their state;
          downloads go into the current folder, SHA-256 checked. Header: the appliance, the
          connection (reconnecting… while it is lost) and whether its certificate is verified.
          The connection behaves as oc chat's: it reconnects by itself, and what you type meanwhile
          is sent once it is back, each message exactly once.
          A message for a conversation not in view, or while the terminal is not focused (focus
          reporting, mode 1004), rings the bell and asks the terminal for a desktop notification
          (OSC 9 and OSC 777), and runs notify-send when a desktop session is there (DISPLAY or
          WAYLAND_DISPLAY). --no-notify, or the line "notify = off" in ui.conf in the config folder,
          turns that off. NO_COLOR=1 draws without colours.
          With no session yet, a login screen comes first (F2 switches to registering a new account,
          which is then logged in at once); the appliance is the one --server, OC_SERVER, the last
          one used or the LAN names (asking which when several answer), and a new appliance's
          certificate is asked about before the screen opens, as every command does.

        Examples:
          oc
          oc ui --no-notify
          NO_COLOR=1 oc ui
        """;

    public static Command Create(CommandHost host)
    {
        var noNotify = new Option<bool>("--no-notify") { Description = "No bell and no desktop notifications for new messages" };
        var command = new Command("ui", "The full-screen client: friends, conversations and files in one screen (also `oc` alone on a terminal)") { noNotify };
        host.SetAction(command, (parse, context, ct) => RunAsync(context, parse.GetValue(noNotify), parse.GetValue<bool>("--insecure"), ct));
        return command;
    }

    /// <summary>What <c>oc</c> with no command does: this on a terminal (stdin and stdout), else the usage error of old.</summary>
    public static Task<int> RunAsync(CommandContext context, bool noNotify, bool insecure, CancellationToken cancellationToken) =>
        RunCoreAsync(context, noNotify, insecure, cancellationToken);

    private static async Task<int> RunCoreAsync(CommandContext context, bool noNotify, bool insecure, CancellationToken cancellationToken)
    {
        if (context.Output.Json) throw CliException.Usage("oc ui has no --json; scripts use oc listen --json and oc send");
        var environment = context.Environment;
        if (!environment.InputIsTerminal || !environment.OutputIsTerminal)
        {
            throw CliException.Usage("oc ui needs a terminal; scripts use oc listen, oc send and oc chat");
        }

        if (!OperatingSystem.IsLinux()) throw CliException.Usage("oc ui runs on Linux terminals for now; oc chat works everywhere");

        // Without a session the appliance is chosen (--server, OC_SERVER, the last one, else the LAN,
        // asking which when there are several) and a new one's certificate asked about on the plain
        // terminal, as every command does; then the login screen.
        var saved = context.Sessions.Load();
        var server = saved is null ? await context.ResolveServerAsync(cancellationToken).ConfigureAwait(false) : context.RequireSession().Server;
        await context.SettleTrustAsync(server, cancellationToken).ConfigureAwait(false);
        var settings = UiSettings.Load(context.Config);
        string trust = insecure ? "NOT VERIFIED (--insecure)" : "certificate trusted";
        bool colour = string.IsNullOrEmpty(environment.GetVariable("NO_COLOR"));

        // Rate-limit notes would scribble over the screen: the status row shows the connection instead.
        context.RateLimitWaits.Say = _ => { };
        if (!RawTerminal.TryEnter(out var terminal)) throw CliException.Usage("oc ui needs a terminal; scripts use oc listen, oc send and oc chat");
        try
        {
            var input = TerminalInput.Start();
            if (saved is null)
            {
                var (session, interrupted) = await new LoginScreen(context, server, terminal, input, colour).RunAsync(cancellationToken).ConfigureAwait(false);
                if (session is null) return interrupted || cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Success;
                saved = session;
            }

            var app = new UiApp(new LiveSession(context, saved), server.ToString(), environment, settings.Notify && !noNotify, trust, context.Timeout);
            return await app.RunAsync(terminal, input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            terminal.Dispose();
        }
    }
}
