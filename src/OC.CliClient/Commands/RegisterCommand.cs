using System.CommandLine;
using OC.CliClient.Terminal;
using OC.Protocol;
using OC.Protocol.Client;

namespace OC.CliClient.Commands;

/// <summary><c>oc register --nick NAME [--email E] [--password-stdin]</c>: creates an account and prints its OC number.</summary>
internal static class RegisterCommand
{
    public const string MoreHelp = """
        Notes:
          On a terminal the password is asked twice and not echoed. The appliance never sees it: oc
          derives SCRAM-SHA-256 keys from it (PBKDF2, 100,000 rounds) and sends only those.
          The appliance used is remembered, so a plain "oc login NUMBER" follows.
          The first connection to an appliance shows its certificate's fingerprint and asks whether to
          trust it, before the password prompt (check it with `oc-appliance fingerprint --data DIR` on
          the appliance's machine); without a terminal, give --trust FINGERPRINT or --trust-first-use.

        Output:
          text    Registered. Your OC number is 123456.
                  Log in with: oc login 123456
          --json  {"ocNumber":123456,"nick":"alice","email":"","server":"192.168.1.20:6677"}

        Examples:
          oc --server 192.168.1.20 register --nick alice --email alice@example.org
          printf '%s\n' "$PASSWORD" | oc register --nick alice --password-stdin --json
        """;

    public static Command Create(CommandHost host)
    {
        var nick = new Option<string>("--nick", "-n")
        {
            Description = "Your nickname as others see it (1 to 32 characters; no control, bidi or invisible characters)",
            HelpName = "NAME",
            Required = true,
        };
        var email = new Option<string>("--email", "-e")
        {
            Description = "Optional e-mail address for the account (shown by oc whoami)",
            HelpName = "ADDRESS",
        };
        var passwordStdin = PasswordOptions.Stdin();

        var command = new Command(
            "register",
            "Create an account and print its OC number, the number you log in with")
        {
            nick, email, passwordStdin,
        };
        host.SetAction(command, (parse, context, cancellationToken) => RunAsync(
            context, parse.GetValue(nick)!, parse.GetValue(email) ?? "", parse.GetValue(passwordStdin), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, string nick, string email, bool passwordStdin, CancellationToken cancellationToken)
    {
        // The appliance's own rule (it checks again): a bad nickname fails before the password prompt.
        if (!TextRules.TryValidateNick(nick, out string validNick, out string nickError)) throw CliException.Usage(nickError);
        nick = validNick;
        var server = await context.ResolveServerAsync(cancellationToken).ConfigureAwait(false);
        await context.SettleTrustAsync(server, cancellationToken).ConfigureAwait(false);
        string password = PasswordReader.Read(context.Environment, passwordStdin, confirm: true);
        uint number = await RegisterAsync(context, server, nick, email, password, cancellationToken).ConfigureAwait(false);
        context.Output.Result(
            new RegisteredOutput(number, nick, email.Trim(), server.ToString()),
            OutputJsonContext.Default.RegisteredOutput,
            $"Registered. Your OC number is {number:D6}.\nLog in with: oc login {number:D6}");
        return ExitCodes.Success;
    }

    /// <summary>Creates the account and remembers the appliance; returns the new OC number. Shared by <c>oc register</c> and the registration screen of <c>oc ui</c>.</summary>
    internal static async Task<uint> RegisterAsync(
        CommandContext context, Config.ServerAddress server, string nick, string email, string password, CancellationToken cancellationToken)
    {
        uint number;
        await using (var link = await context.ConnectAsync(server, cancellationToken).ConfigureAwait(false))
        {
            number = await link.CallAsync(
                (connection, token) => OcAccounts.RegisterAsync(connection, nick, email.Trim(), password, cancellationToken: token),
                cancellationToken).ConfigureAwait(false);
        }

        context.Config.RememberServer(server);
        return number;
    }
}
