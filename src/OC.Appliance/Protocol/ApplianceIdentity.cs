namespace OC.Appliance.Protocol;

/// <summary>What the appliance tells clients about itself in WELCOME (and, later, mDNS TXT).</summary>
internal sealed record ApplianceIdentity(string Name, string Id, string Software);
