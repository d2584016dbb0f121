using System.CommandLine;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.CliClient.Ui;

namespace OC.CliClient;

/// <summary>
/// The `oc` command line: builds the commands, reports parse errors and runs one command.
/// Failures of a command are reported by <see cref="CommandHost"/>.
/// </summary>
internal static class OcCli
{
    private const string RootMoreHelp = """
        Examples:
          oc servers
          oc register --nick alice
          oc --server 192.168.1.20 register --nick alice
          oc login 123456
          oc whoami --json
          oc find 654321
          oc friends add 654321
          oc friends requests
          oc friends accept 123456
          oc friends
          oc block 654321
          oc online
          oc send 654321 "dinner at 8?"
          oc history 654321
          oc listen --json
          oc chat
          oc ui
          oc file send 654321 holiday.jpg
          oc file list
          oc file get 0f3a9c2e11d04b7a
          oc room create Lunch
          oc room invite '#482913' 654321
          oc send '#482913' "lunch at 12?"
          oc history '#482913'
          oc rooms
          oc sessions
          oc sessions revoke 0a1b2c3d
          oc passwd
          oc logout
          oc logout --all
          oc servers forget office
          oc --server 192.168.1.20 --trust SHA256:vwVTWes7kehyK0DXhsZbRvH/Enl2nwly8CdinBu523M login 123456 --password-stdin
        """;

    public static RootCommand Build(CliEnvironment environment)
    {
        var global = new GlobalOptions();
        var host = new CommandHost(global, environment);

        var root = new RootCommand("""
            oc: the command-line client of an OC chat appliance on your LAN.

            The appliance is --server HOST[:PORT] (default port 6677), else $OC_SERVER, else the one used last,
            else the one found on the LAN (mDNS, about a second; oc servers lists them).
            Settings and the session live in $OC_CONFIG_DIR, else $XDG_CONFIG_HOME/oc, else ~/.config/oc.
            oc talks to the appliance over TLS 1.3 and trusts it as SSH trusts a host: the first connection
            shows its certificate's fingerprint and asks (compare it with `oc-appliance fingerprint --data DIR`
            on the appliance's machine, or its status page); oc remembers it and refuses, with a warning, an
            appliance that presents another one later (oc servers forget NAME after a legitimate change).
            Without a terminal, the first connection needs --trust FINGERPRINT (or --trust-first-use).
            Nothing, no password and no token, is sent to an appliance before its certificate is trusted.
            When the appliance says to slow down (its rate limits), oc waits as long as it asks and tries
            again, saying so once on stderr; it gives up after a minute of waiting for one request.

            Exit codes: 0 success; 1 the appliance refused, the network failed, its certificate is not the
            trusted one or a local file could not be written; 2 wrong command line or input, or an appliance
            not trusted yet without a terminal to ask (nothing was sent); 130 cancelled with Ctrl-C.
            """);
        // Each command with the notes, output formats and examples its --help ends with.
        (Command Command, string MoreHelp)[] commands =
        [
            (RegisterCommand.Create(host), RegisterCommand.MoreHelp),
            (LoginCommand.Create(host), LoginCommand.MoreHelp),
            (LogoutCommand.Create(host), LogoutCommand.MoreHelp),
            (WhoAmICommand.Create(host), WhoAmICommand.MoreHelp),
            (SessionsCommand.Create(host), SessionsCommand.MoreHelp),
            (PasswdCommand.Create(host), PasswdCommand.MoreHelp),
            (FindCommand.Create(host), FindCommand.MoreHelp),
            (FriendsCommand.Create(host), FriendsCommand.MoreHelp),
            (BlockCommand.CreateBlock(host), BlockCommand.BlockMoreHelp),
            (BlockCommand.CreateUnblock(host), BlockCommand.UnblockMoreHelp),
            (BlockCommand.CreateList(host), BlockCommand.BlockedMoreHelp),
            (OnlineCommand.Create(host), OnlineCommand.MoreHelp),
            (SendCommand.Create(host), SendCommand.MoreHelp),
            (HistoryCommand.Create(host), HistoryCommand.MoreHelp),
            (ListenCommand.Create(host), ListenCommand.MoreHelp),
            (ChatCommand.Create(host), ChatCommand.MoreHelp),
            (FileCommand.Create(host), FileCommand.MoreHelp),
            (RoomCommand.CreateList(host), RoomCommand.RoomsMoreHelp),
            (RoomCommand.Create(host), RoomCommand.MoreHelp),
            (UiCommand.Create(host), UiCommand.MoreHelp),
        ];
        var (servers, forget) = ServersCommand.Create(host);
        commands = [.. commands, (servers, ServersCommand.MoreHelp), (forget, ServersCommand.ForgetMoreHelp)];
        var moreHelp = new Dictionary<Command, string> { [root] = RootMoreHelp };
        foreach (var (command, more) in commands)
        {
            if (command.Parents.FirstOrDefault() is null) root.Subcommands.Add(command);
            moreHelp[command] = more;
        }
        global.AddTo(root);

        HelpWithMore.Install(root, moreHelp);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);

        var root = Build(environment);
        var parse = Parse(root, args);

        // `oc` with no command (global options allowed) on a terminal opens the full-screen client;
        // elsewhere (a script, a pipe) it stays the usage error it always was.
        if (parse.CommandResult.Command == root && parse.UnmatchedTokens.Count == 0
            && environment.InputIsTerminal && environment.OutputIsTerminal && !args.Any(a => a is "--help" or "-h" or "-?" or "/?" or "--version"))
        {
            parse = Parse(root, [.. args, "ui"]);
        }
        if (parse.Errors.Count > 0)
        {
            string command = string.Join(' ', CommandPath(parse.CommandResult));
            environment.Error.WriteLine($"oc: {ErrorReport.OneLine(FirstError(parse))} (see {command} --help)");
            return ExitCodes.Usage;
        }

        // Command failures are reported by CommandHost; System.CommandLine's own handler would
        // print a stack trace for anything else, so it is off (an escape would be a bug in oc).
        // Ctrl-C and SIGTERM cancel the command's token (it then reports "cancelled"); without an
        // explicit ProcessTerminationTimeout a new configuration installs no signal handler at all.
        var configuration = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = TimeSpan.FromSeconds(2),
        };
        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }

    /// <summary>
    /// Parses without response files: System.CommandLine would read <c>@bob</c> as a file of
    /// arguments, so <c>oc send '#482913' @bob lunch?</c>, a mention, failed with "Response file not found".
    /// </summary>
    internal static ParseResult Parse(RootCommand root, string[] args) =>
        root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    // One error is shown. A word oc does not know is usually the cause of the rest: `oc bogus`
    // also reports "Required command was not provided", which would not help.
    private static string FirstError(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count > 0)
        {
            string token = "'" + parse.UnmatchedTokens[0] + "'";
            foreach (var error in parse.Errors)
            {
                if (error.Message.Contains(token, StringComparison.Ordinal)) return error.Message;
            }
        }

        return parse.Errors[0].Message;
    }

    // "oc" or "oc login": the command whose --help explains the mistake.
    private static List<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var current = result; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, current.Parent is null ? "oc" : current.Command.Name);
        }

        return names;
    }
}
