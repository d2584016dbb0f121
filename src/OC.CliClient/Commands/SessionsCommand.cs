using System.CommandLine;
using System.Globalization;
using OC.CliClient.Terminal;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.CliClient.Commands;

/// <summary><c>oc sessions</c>: your sessions on the appliance; <c>oc sessions revoke ID</c> ends one.</summary>
internal static class SessionsCommand
{
    public const string MoreHelp = """
        Notes:
          Each oc login makes a session: the appliance records the device name (oc login --device, by
          default the host name), the address it came from, when it was made and when it was last used.
          A session unused for 30 days (the appliance's --session-ttl) expires by itself. The session of
          this oc is marked with *. Revoking a session logs it out at once, wherever it is: its oc listen
          or oc chat stops, and its next command says "session expired; run oc login". To end every
          session, oc logout --all; changing the password (oc passwd) ends all but this one.

        Output:
          text      ID        DEVICE  ADDRESS       CREATED (UTC)     LAST USED (UTC)
                  * 3f9a2c1b  laptop  192.168.1.23  2025-06-01 12:00  connected
                    0a1b2c3d  pi      192.168.1.40  2025-05-20 08:13  2025-05-30 19:02
          --json  {"sessions":[{"id":"3f9a2c1b","device":"laptop","address":"192.168.1.23",
                   "created":"2025-06-01T12:00:00+00:00","lastUsed":"...","current":true,"connected":true}]}
          revoke  Session 0a1b2c3d revoked.   --json  {"id":"0a1b2c3d","wasCurrent":false}

        Examples:
          oc sessions
          oc sessions revoke 0a1b2c3d
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("sessions", "List your sessions on the appliance (device, address, last use); revoke one");
        host.SetAction(command, (_, context, ct) => ListAsync(context, ct));

        var id = new Argument<string>("ID") { Description = "The session's id, as oc sessions shows it (8 hex digits)" };
        id.Validators.Add(r =>
        {
            if (!TryParseId(r.GetValueOrDefault<string>(), out _)) r.AddError($"'{r.GetValueOrDefault<string>()}' is not a session id (8 hex digits, as oc sessions shows them)");
        });
        var revoke = new Command("revoke", "End one of your sessions: it is logged out at once, wherever it is") { id };
        host.SetAction(revoke, (parse, context, ct) =>
        {
            TryParseId(parse.GetValue(id), out uint sessionId); // Checked when parsing.
            return RevokeAsync(context, sessionId, ct);
        });
        command.Subcommands.Add(revoke);
        return command;
    }

    internal static bool TryParseId(string? text, out uint id) =>
        uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) && text!.Length is > 0 and <= 8 && id != 0;

    internal static string FormatId(uint id) => id.ToString("x8", CultureInfo.InvariantCulture);

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var sessions = await link.CallAsync(OcAccounts.ListSessionsAsync, cancellationToken).ConfigureAwait(false);
        var rows = sessions.Select(s => new SessionOutput(
            FormatId(s.Id), s.Device, s.Address,
            DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedUnixMs), DateTimeOffset.FromUnixTimeMilliseconds(s.LastUsedUnixMs),
            s.Current, s.Connected)).ToList();
        context.Output.Result(new SessionsOutput(rows), OutputJsonContext.Default.SessionsOutput, Format(rows));
        return ExitCodes.Success;
    }

    private static async Task<int> RevokeAsync(CommandContext context, uint id, CancellationToken cancellationToken)
    {
        await using var link = await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        // Whether it is this session: then this oc is logged out too, and its session file goes.
        var sessions = await link.CallAsync(OcAccounts.ListSessionsAsync, cancellationToken).ConfigureAwait(false);
        bool current = sessions.Any(s => s.Id == id && s.Current);
        try
        {
            await link.CallAsync((c, t) => OcAccounts.RevokeSessionAsync(c, id, t), cancellationToken).ConfigureAwait(false);
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.SessionNotFound)
        {
            throw new CliException($"you have no session {FormatId(id)} (oc sessions lists them)", e);
        }
        if (current) context.Sessions.Delete();
        context.Output.Result(new SessionRevokedOutput(FormatId(id), current), OutputJsonContext.Default.SessionRevokedOutput,
            current ? $"Session {FormatId(id)} revoked: it was this one, so you are logged out." : $"Session {FormatId(id)} revoked.");
        return ExitCodes.Success;
    }

    internal static string Format(IReadOnlyList<SessionOutput> rows)
    {
        if (rows.Count == 0) return "No sessions.";
        int device = Math.Max("DEVICE".Length, rows.Max(r => Shown(r.Device).Length));
        int address = Math.Max("ADDRESS".Length, rows.Max(r => r.Address.Length));
        var lines = new List<string> { $"  ID        {"DEVICE".PadRight(device)}  {"ADDRESS".PadRight(address)}  CREATED (UTC)     LAST USED (UTC)" };
        foreach (var r in rows)
        {
            string last = r.Connected ? "connected" : r.LastUsed.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{(r.Current ? '*' : ' ')} {r.Id}  {Shown(r.Device).PadRight(device)}  {r.Address.PadRight(address)}  {r.Created:yyyy-MM-dd HH:mm}  {last}"));
        }
        lines.Add("* this session");
        return string.Join('\n', lines);
    }

    private static string Shown(string device) => device.Length > 0 ? device : "(unnamed)";
}
