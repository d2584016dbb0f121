using System.Net;
using OC.CliClient.Config;

namespace OC.CliClient.Discovery;

/// <summary>An appliance that answered on the LAN: its instance name and what its SRV, TXT and A records say.</summary>
internal sealed record DiscoveredAppliance(string Name, string HostName, IPAddress Address, int Port, int? Version, string? Id, int? HttpPort)
{
    /// <summary>The address to connect to, as <c>--server</c> would name it.</summary>
    public ServerAddress Server => new(Address.ToString(), Port);
}
