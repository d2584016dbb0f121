using System.CommandLine;
using System.Globalization;
using System.Text;
using OC.CliClient.Discovery;
using OC.CliClient.Terminal;

namespace OC.CliClient.Commands;

/// <summary><c>oc servers [--timeout SECONDS] [--json]</c>: the appliances that answer on the LAN (mDNS).</summary>
internal static class ServersCommand
{
    public const string MoreHelp = """
        Notes:
          Asks the LAN with Multicast DNS (service _oc._tcp, UDP port 5353) and lists every appliance
          that answers within 1 second (--timeout SECONDS to wait longer). Appliances behind a router or
          a firewall that drops UDP 5353 do not answer: name those with --server HOST[:PORT].
          Without --server, OC_SERVER or a remembered appliance, the other commands do the same look
          and use the appliance found, if there is exactly one.

        Output:
          text    NAME     SERVER              VERSION  ID
                  office   192.168.1.20:6677   1        3f0c9a...
          --json  {"servers":[{"name":"office","server":"192.168.1.20:6677","address":"192.168.1.20",
                   "port":6677,"host":"pi.local","version":1,"id":"3f0c9a...","httpPort":6678}]}

        Examples:
          oc servers
          oc servers --timeout 3 --json
        """;

    public static Command Create(CommandHost host)
    {
        var command = new Command("servers", "List the OC appliances on the LAN (found with mDNS, in about a second)");
        host.SetAction(command, (_, context, cancellationToken) => RunAsync(context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var listen = context.TimeoutGiven ? context.Timeout : LanBrowser.DefaultListen;
        var found = await context.Environment.Discover(listen, cancellationToken).ConfigureAwait(false);
        var servers = found.Select(a => new ServerOutput(
            a.Name, a.Server.ToString(), a.Address.ToString(), a.Port, a.HostName, a.Version, a.Id, a.HttpPort)).ToList();
        context.Output.Result(new ServersOutput(servers), OutputJsonContext.Default.ServersOutput, Table(servers, listen));
        return ExitCodes.Success;
    }

    private static string Table(List<ServerOutput> servers, TimeSpan listen)
    {
        if (servers.Count == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"No appliance answered on the LAN within {listen.TotalSeconds:0.#} s (mDNS _oc._tcp).");
        }
        int name = Math.Max(4, servers.Max(s => s.Name.Length));
        int server = Math.Max(6, servers.Max(s => s.Server.Length));
        var text = new StringBuilder();
        text.Append("NAME".PadRight(name)).Append("  ").Append("SERVER".PadRight(server)).Append("  VERSION  ID");
        foreach (var s in servers)
        {
            text.Append('\n').Append(s.Name.PadRight(name)).Append("  ").Append(s.Server.PadRight(server)).Append("  ")
                .Append((s.Version?.ToString(CultureInfo.InvariantCulture) ?? "?").PadRight(7)).Append("  ").Append(s.Id ?? "?");
        }
        return text.ToString();
    }
}
