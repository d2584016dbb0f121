using System.Net;
using System.Net.Sockets;

namespace OC.Tests.Support.Net;

/// <summary>
/// A TCP proxy on 127.0.0.1 that forwards every byte to the appliance unchanged and records it:
/// what someone capturing the LAN would see.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;

    public RecordingProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ByteRecorder Recorded { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token).ConfigureAwait(false);
                lock (_pumps)
                {
                    _pumps.Add(Pipes.PumpAsync(client.GetStream(), upstream.GetStream(), Recorded, _stop.Token));
                    _pumps.Add(Pipes.PumpAsync(upstream.GetStream(), client.GetStream(), Recorded, _stop.Token));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pumps;
        lock (_pumps) pumps = [.. _pumps];
        await Task.WhenAll(pumps);
        _stop.Dispose();
    }
}
