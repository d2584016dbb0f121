using System.CommandLine;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;

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
          oc friends
          oc online
          oc send 654321 "dinner at 8?"
          oc history 654321
          oc listen --json
          oc chat
          oc logout
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

            Exit codes: 0 success; 1 the appliance refused, the network failed or a local file could not be
            written; 2 wrong command line or input (nothing was sent); 130 cancelled with Ctrl-C.
            """);
        var register = RegisterCommand.Create(host);
        var login = LoginCommand.Create(host);
        var logout = LogoutCommand.Create(host);
        var whoami = WhoAmICommand.Create(host);
        var find = FindCommand.Create(host);
        var friends = FriendsCommand.Create(host);
        var online = OnlineCommand.Create(host);
        var send = SendCommand.Create(host);
        var history = HistoryCommand.Create(host);
        var listen = ListenCommand.Create(host);
        var chat = ChatCommand.Create(host);
        var servers = ServersCommand.Create(host);
        root.Subcommands.Add(register);
        root.Subcommands.Add(login);
        root.Subcommands.Add(logout);
        root.Subcommands.Add(whoami);
        root.Subcommands.Add(find);
        root.Subcommands.Add(friends);
        root.Subcommands.Add(online);
        root.Subcommands.Add(send);
        root.Subcommands.Add(history);
        root.Subcommands.Add(listen);
        root.Subcommands.Add(chat);
        root.Subcommands.Add(servers);
        global.AddTo(root);

        HelpWithMore.Install(root, new Dictionary<Command, string>
        {
            [root] = RootMoreHelp,
            [register] = RegisterCommand.MoreHelp,
            [login] = LoginCommand.MoreHelp,
            [logout] = LogoutCommand.MoreHelp,
            [whoami] = WhoAmICommand.MoreHelp,
            [find] = FindCommand.MoreHelp,
            [friends] = FriendsCommand.MoreHelp,
            [online] = OnlineCommand.MoreHelp,
            [send] = SendCommand.MoreHelp,
            [history] = HistoryCommand.MoreHelp,
            [listen] = ListenCommand.MoreHelp,
            [chat] = ChatCommand.MoreHelp,
            [servers] = ServersCommand.MoreHelp,
        });
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);

        var parse = Build(environment).Parse(args);
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
