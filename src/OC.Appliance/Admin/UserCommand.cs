using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using OC.Appliance.Diagnostics;
using OC.Appliance.Storage;
using OC.Protocol;
using OC.Protocol.Client;
using OC.Protocol.Messages;
using OC.Protocol.Security;
using static OC.Appliance.Admin.CommandOutput;

namespace OC.Appliance.Admin;

/// <summary>
/// <c>oc-appliance user list|reset-password NUMBER|delete NUMBER [--data DIR]</c>: the accounts, on
/// the appliance's own machine, for the forgotten password. Works whether or not the appliance runs
/// (<see cref="UserAdminOpener"/>).
/// </summary>
internal static class UserCommand
{
    private const string PasswordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    public static Command Create()
    {
        var command = new Command("user", """
            Manage accounts on this machine: list them, reset a forgotten password, delete one.
            Works while the appliance runs (through its admin socket, DIR/admin.sock) and while it is stopped
            (then in the database itself). Run it as the appliance's user, or as root while it runs.
            Exit codes: 0 done; 1 refused (no such account, no data, no access); 2 wrong command line.
            """);
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateResetPassword());
        command.Subcommands.Add(CreateDelete());
        return command;
    }

    private static Option<string> DataOption() => new("--data")
    {
        Description = "The appliance's data folder",
        DefaultValueFactory = _ => "oc-data",
        HelpName = "DIR",
    };

    private static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print the result as one JSON object on one line",
    };

    private static Argument<string> NumberArgument(string description)
    {
        var number = new Argument<string>("NUMBER") { Description = description };
        number.Validators.Add(r =>
        {
            if (!OcNumber.TryParse(r.GetValueOrDefault<string>(), out _))
                r.AddError($"'{r.GetValueOrDefault<string>()}' is not an OC number (six digits, 100000 to 999999)");
        });
        return number;
    }

    private static Command CreateList()
    {
        var data = DataOption();
        var json = JsonOption();
        var command = new Command("list", """
            List the accounts: OC number, nick, e-mail, when registered, sessions and their last use (UTC).
            --json: {"users":[{"ocNumber":123456,"nick":"alice","email":"","created":"2025-06-01T12:00:00+00:00","sessions":2,"lastUsed":"2025-06-02T08:00:00+00:00"}]}
            """) { data, json };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, async admin =>
        {
            var users = await admin.ListAsync(ct).ConfigureAwait(false);
            Console.Out.WriteLine(parse.GetValue(json) ? ListJson(users) : ListText(users));
            return 0;
        }, ct));
        return command;
    }

    private static Command CreateResetPassword()
    {
        var data = DataOption();
        var json = JsonOption();
        var number = NumberArgument("The OC number of the account");
        var stdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the new password from the first line of stdin instead of making up a random one",
        };
        var command = new Command("reset-password", """
            Give an account a new password and end every session of it (they log in again).
            Without --password-stdin a random one-time password is made up and printed once; the user
            logs in with it and chooses their own with oc passwd.
            --json: {"ocNumber":123456,"password":"abcd-efgh-jkmn-pqrs"} (no password with --password-stdin)
            """) { number, data, stdin, json };
        command.SetAction(async (parse, ct) =>
        {
            OcNumber.TryParse(parse.GetValue(number), out var ocNumber); // checked by the parser
            string? password = null;
            if (parse.GetValue(stdin))
            {
                password = Console.In.ReadLine();
                if (string.IsNullOrEmpty(password)) return Usage("--password-stdin: stdin holds no password line");
                if (password.Any(char.IsControl)) return Usage("the password contains a control character");
            }
            string chosen = password ?? RandomPassword();
            PasswordVerifier verifier;
            try
            {
                verifier = await OcAccounts.DeriveVerifierAsync(chosen, ScramCredentials.DefaultIterations, ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                return Usage("the password is not acceptable: " + e.Message.Split(" (Parameter")[0]);
            }
            return await RunAsync(parse.GetValue(data)!, async admin =>
            {
                if (!await admin.SetPasswordAsync((int)ocNumber.Value, verifier, ct).ConfigureAwait(false))
                    return Fail($"no user has OC number {ocNumber.Value:D6}");
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(Json(w =>
                    {
                        w.WriteNumber("ocNumber", ocNumber.Value);
                        if (password is null) w.WriteString("password", chosen);
                    }));
                }
                else
                {
                    if (password is null) Console.Out.WriteLine($"New password for {ocNumber.Value:D6}: {chosen}");
                    Console.Out.WriteLine($"The password of {ocNumber.Value:D6} was changed and every session of it has ended; they log in with the new one (and can change it with oc passwd).");
                }
                return 0;
            }, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateDelete()
    {
        var data = DataOption();
        var json = JsonOption();
        var number = NumberArgument("The OC number of the account to delete");
        var command = new Command("delete", """
            Delete an account: it can no longer log in, its sessions end, its friendships end (friends are told).
            The messages and files it exchanged stay with the other side of each conversation, and its
            OC number is never given out again.
            --json: {"ocNumber":123456,"deleted":true}
            """) { number, data, json };
        command.SetAction((parse, ct) =>
        {
            OcNumber.TryParse(parse.GetValue(number), out var ocNumber);
            return RunAsync(parse.GetValue(data)!, async admin =>
            {
                if (!await admin.DeleteAsync((int)ocNumber.Value, ct).ConfigureAwait(false))
                    return Fail($"no user has OC number {ocNumber.Value:D6}");
                Console.Out.WriteLine(parse.GetValue(json)
                    ? Json(w =>
                    {
                        w.WriteNumber("ocNumber", ocNumber.Value);
                        w.WriteBoolean("deleted", true);
                    })
                    : $"Deleted {ocNumber.Value:D6}: its sessions and friendships have ended; its messages and files stay with the other side; the number is never given out again.");
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>Opens the accounts, runs <paramref name="work"/>, and turns any failure into one line and exit code 1.</summary>
    private static async Task<int> RunAsync(string dataDirectory, Func<IUserAdmin, Task<int>> work, CancellationToken cancellationToken)
    {
        // As the appliance itself: what this creates in the data folder is private; and no info lines.
        PrivateFiles.RestrictUmask();
        Log.MinLevel = LogLevel.Warn;
        try
        {
            await using var admin = await UserAdminOpener.OpenAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"oc-appliance: using {admin.Where} in {Path.GetFullPath(dataDirectory)}");
            return await work(admin).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled");
        }
        catch (Exception e) when (e is AdminException or IOException or OcErrorException or LiteDB.LiteException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>16 letters and digits without look-alikes (no 0/o, 1/l/i), in groups of four: about 79 bits.</summary>
    internal static string RandomPassword()
    {
        var chars = RandomNumberGenerator.GetItems(PasswordAlphabet.AsSpan(), 16);
        return string.Join('-', Enumerable.Range(0, 4).Select(i => new string(chars, i * 4, 4)));
    }

    private static string ListText(List<AccountSummary> users)
    {
        if (users.Count == 0) return "No accounts yet.";
        int nickWidth = Math.Max(4, users.Max(u => u.Nick.Length));
        var lines = new List<string> { $"NUMBER  {"NICK".PadRight(nickWidth)}  CREATED (UTC)     SESSIONS  LAST USED (UTC)" };
        foreach (var u in users)
        {
            string last = u.LastUsedUtc is { } t ? t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-";
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{u.Number:D6}  {u.Nick.PadRight(nickWidth)}  {u.CreatedUtc:yyyy-MM-dd HH:mm}  {u.Sessions,8}  {last}"));
        }
        return string.Join('\n', lines);
    }

    private static string ListJson(List<AccountSummary> users) => Json(w =>
    {
        w.WriteStartArray("users");
        foreach (var u in users)
        {
            w.WriteStartObject();
            w.WriteNumber("ocNumber", u.Number);
            w.WriteString("nick", u.Nick);
            w.WriteString("email", u.Email);
            w.WriteString("created", new DateTimeOffset(u.CreatedUtc, TimeSpan.Zero));
            w.WriteNumber("sessions", u.Sessions);
            if (u.LastUsedUtc is { } last) w.WriteString("lastUsed", new DateTimeOffset(last, TimeSpan.Zero));
            else w.WriteNull("lastUsed");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    private static int Usage(string message)
    {
        Console.Error.WriteLine("oc-appliance: " + message);
        return 2;
    }
}
