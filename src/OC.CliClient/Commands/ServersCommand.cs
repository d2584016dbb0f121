using System.CommandLine;
using System.Globalization;
using System.Text;
using OC.CliClient.Config;
using OC.CliClient.Discovery;
using OC.CliClient.Terminal;
using OC.CliClient.Trust;
using OC.Protocol.Security;

namespace OC.CliClient.Commands;

/// <summary>
/// <c>oc servers [--timeout SECONDS] [--json]</c>: the appliances that answer on the LAN (mDNS),
/// with their fingerprints and whether oc trusts them; <c>oc servers forget NAME|ID|HOST[:PORT]</c>.
/// </summary>
internal static class ServersCommand
{
    public const string MoreHelp = """
        Notes:
          Asks the LAN with Multicast DNS (service _oc._tcp, UDP port 5353) and lists every appliance
          that answers within 1 second (--timeout SECONDS to wait longer). Appliances behind a router or
          a firewall that drops UDP 5353 do not answer: name those with --server HOST[:PORT].
          Without --server, OC_SERVER or a remembered appliance, the other commands do the same look
          and use the appliance found, if there is exactly one.
          FINGERPRINT is the one the appliance announces (anyone on the LAN can announce anything:
          compare it with `oc-appliance fingerprint --data DIR` on the appliance's machine). TRUSTED:
          yes      oc trusts this very fingerprint (it was accepted at the first connection)
          no       not trusted yet: the first connection asks (or needs --trust FINGERPRINT)
          CHANGED  it announces another fingerprint than the one trusted: oc refuses it; if the change
                   is expected, check it at the appliance, then: oc servers forget NAME
          known    trusted, but it announces no fingerprint to compare
          Trusted appliances that did not answer are listed after the others. The trusted fingerprints
          are kept in known-appliances.json in the config folder.

        Output:
          text    NAME     SERVER             TRUSTED  FINGERPRINT
                  office   192.168.1.20:6677  yes      SHA256:vwVTWes7kehyK0DXhsZbRvH/Enl2nwly8CdinBu523M
          --json  {"servers":[{"name":"office","server":"192.168.1.20:6677","address":"192.168.1.20",
                   "port":6677,"host":"pi.local","version":1,"id":"3f0c9a...","httpPort":6678,
                   "fingerprint":"SHA256:vwVT...","trust":"yes","trustedFingerprint":"SHA256:vwVT..."}],
                   "trusted":[{"id":"3f0c9a...","name":"office","address":"192.168.1.20:6677",
                   "fingerprint":"SHA256:vwVT...","firstSeen":"2026-01-02T10:00:00+00:00"}]}

        Examples:
          oc servers
          oc servers --timeout 3 --json
          oc servers forget office
        """;

    public const string ForgetMoreHelp = """
        Notes:
          Removes the trusted fingerprint of every appliance that NAME (its name, without case), ID (its
          appliance id) or HOST[:PORT] (the address it was reached at; port 6677 if not given) names.
          The next connection to it is a first connection again: oc shows its fingerprint and asks (or
          needs --trust FINGERPRINT). Use it after an appliance's certificate changed for a good reason
          (a new data folder, a reinstall), once you have checked the new fingerprint at the appliance:
          oc-appliance fingerprint --data DIR on its machine, or its status page. Nothing is sent.
          Nothing trusted matches: exit code 1.

        Output:
          text    Forgot office (SHA256:vwVTWes7kehyK0DXhsZbRvH/Enl2nwly8CdinBu523M, 192.168.1.20:6677).
          --json  {"forgotten":[{"id":"3f0c9a...","name":"office","address":"192.168.1.20:6677",
                   "fingerprint":"SHA256:vwVT...","firstSeen":"2026-01-02T10:00:00+00:00"}]}

        Examples:
          oc servers forget office
          oc servers forget 192.168.1.20
          oc servers forget 3f0c9a0b1c2d3e4f5a6b7c8d9e0f1a2b --json
        """;

    public static (Command Command, Command Forget) Create(CommandHost host)
    {
        var command = new Command("servers", "List the OC appliances on the LAN (found with mDNS, in about a second) and whether oc trusts them");
        host.SetAction(command, (_, context, cancellationToken) => RunAsync(context, cancellationToken));

        var what = new Argument<string>("NAME|ID|HOST[:PORT]")
        {
            Description = "The trusted appliance to forget: its name, its id, or its address",
        };
        var forget = new Command("forget", "Forget an appliance's trusted certificate fingerprint (after a legitimate change)") { what };
        host.SetAction(forget, (parse, context, _) => Task.FromResult(Forget(context, parse.GetValue(what)!)));
        command.Subcommands.Add(forget);
        return (command, forget);
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var trusted = new TrustStore(context.Config).Load();
        var listen = context.TimeoutGiven ? context.Timeout : LanBrowser.DefaultListen;
        var found = await context.Environment.Discover(listen, cancellationToken).ConfigureAwait(false);
        var servers = found.Select(a =>
        {
            var known = TrustStore.FindById(trusted, a.Id) ?? TrustStore.FindByAddress(trusted, a.Server);
            return new ServerOutput(
                a.Name, a.Server.ToString(), a.Address.ToString(), a.Port, a.HostName, a.Version, a.Id, a.HttpPort,
                a.Fingerprint, Trust(a.Fingerprint, known), known?.Fingerprint);
        }).ToList();
        var all = trusted.Select(Output).ToList();
        var absent = trusted.Where(t => !found.Any(a => t.Id is { } id ? string.Equals(a.Id, id, StringComparison.OrdinalIgnoreCase) : a.Server.SameAs(t.Server)))
            .Select(Output).ToList();
        context.Output.Result(new ServersOutput(servers, all), OutputJsonContext.Default.ServersOutput, Table(servers, absent, listen));
        return ExitCodes.Success;
    }

    private static int Forget(CommandContext context, string what)
    {
        var forgotten = new TrustStore(context.Config).Forget(what);
        if (forgotten.Count == 0)
        {
            throw new CliException($"no trusted appliance is named {TrustMessages.ShellWord(what)} (by name, id or address; oc servers lists them)");
        }

        string list = string.Join(", ", forgotten.Select(f => $"{f.Label} ({f.Fingerprint}, {f.Address})"));
        context.Output.Result(
            new ForgottenOutput(forgotten.Select(Output).ToList()),
            OutputJsonContext.Default.ForgottenOutput,
            $"Forgot {list}.");
        return ExitCodes.Success;
    }

    /// <summary>How an announced fingerprint compares with the one trusted for that appliance (see --help).</summary>
    internal static string Trust(string? announced, TrustedAppliance? known) =>
        known is null ? "no"
        : announced is null ? "known"
        : Fingerprints.AreEqual(announced, known.Fingerprint) ? "yes"
        : "changed";

    private static TrustedOutput Output(TrustedAppliance t) => new(t.Id, t.Name, t.Address, t.Fingerprint, t.FirstSeen);

    private static string Table(List<ServerOutput> servers, List<TrustedOutput> absent, TimeSpan listen)
    {
        var text = new StringBuilder();
        if (servers.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"No appliance answered on the LAN within {listen.TotalSeconds:0.#} s (mDNS _oc._tcp).");
        }
        else
        {
            int name = Math.Max(4, servers.Max(s => s.Name.Length));
            int server = Math.Max(6, servers.Max(s => s.Server.Length));
            text.Append("NAME".PadRight(name)).Append("  ").Append("SERVER".PadRight(server)).Append("  TRUSTED  FINGERPRINT");
            foreach (var s in servers)
            {
                string trust = s.Trust == "changed" ? "CHANGED" : s.Trust;
                text.Append('\n').Append(s.Name.PadRight(name)).Append("  ").Append(s.Server.PadRight(server)).Append("  ")
                    .Append(trust.PadRight(7)).Append("  ").Append(s.Fingerprint ?? "(none announced)");
            }
        }

        if (absent.Count > 0)
        {
            text.Append("\n\nAlso trusted (did not answer on the LAN just now):");
            int name = absent.Max(t => (t.Name ?? t.Id ?? "").Length);
            int address = absent.Max(t => t.Address.Length);
            foreach (var t in absent)
            {
                text.Append("\n  ").Append((t.Name ?? t.Id ?? "").PadRight(name)).Append("  ").Append(t.Address.PadRight(address))
                    .Append("  ").Append(t.Fingerprint);
            }
        }

        return text.ToString();
    }
}
