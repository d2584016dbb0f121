using OC.Tests.Integration;

namespace OC.Tests.Cli;

/// <summary>A real appliance (<see cref="TestAppliance"/>: in this process, 127.0.0.1, a free port, its own data folder), shared by one test class.</summary>
public sealed class CliApplianceFixture : IDisposable
{
    private readonly TestAppliance _appliance = new();

    /// <summary>The address to pass as <c>--server</c>.</summary>
    public string Server => $"127.0.0.1:{_appliance.Port}";

    /// <summary>The fingerprint of the appliance's certificate, as <c>--trust</c> takes it.</summary>
    public string Fingerprint => _appliance.Fingerprint ?? throw new InvalidOperationException("this appliance speaks no TLS");

    /// <summary>How a protocol client in the test reaches it: TLS pinned to that fingerprint.</summary>
    public OC.Protocol.Client.OcTransport Transport => _appliance.Transport;

    /// <summary>The status page's port (its /api/status counts the protocol connections accepted).</summary>
    public int HttpPort => _appliance.HttpPort;

    public void Dispose() => _appliance.Dispose();
}
