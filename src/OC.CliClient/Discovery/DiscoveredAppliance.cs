using System.Net;
using OC.CliClient.Config;

namespace OC.CliClient.Discovery;

/// <summary>
/// An appliance that answered on the LAN: its instance name and what its SRV, TXT and A records
/// say. <see cref="Fingerprint"/> is its certificate's (TXT <c>fp=</c>, canonical form), or null
/// when it announces none or one that does not read.
/// </summary>
internal sealed record DiscoveredAppliance(
    string Name, string HostName, IPAddress Address, int Port, int? Version, string? Id, int? HttpPort, string? Fingerprint = null)
{
    /// <summary>The address to connect to, as <c>--server</c> would name it.</summary>
    public ServerAddress Server => new(Address.ToString(), Port);
}
