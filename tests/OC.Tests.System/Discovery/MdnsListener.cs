using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Makaretu.Dns;
using OC.Appliance.Discovery;
using OC.Protocol.Discovery;

namespace OC.Tests.Discovery;

/// <summary>
/// A plain mDNS listener inside a namespace, in the test process: a thread enters the namespace
/// (setns), makes a UDP socket bound to 5353 and joined to 224.0.0.251 there, and ends; the socket
/// stays in that namespace. Every datagram that parses is kept, for the test to search.
/// </summary>
internal sealed partial class MdnsListener : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly Socket _socket;
    private readonly List<Message> _messages = [];

    // Released with each message kept, so WaitForAsync waits instead of polling.
    private readonly SemaphoreSlim _received = new(0);
    private readonly Task _receiving;

    private MdnsListener(Socket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveAll);
    }

    public static MdnsListener Open(string netns, string link)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/var/run/netns/" + netns);
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0) throw new IOException("setns failed: errno " + Marshal.GetLastPInvokeError());
                int index = (int)if_nametoindex(link);
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                s.Bind(new IPEndPoint(IPAddress.Any, DnsSdNames.MdnsPort));
                s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(DnsSdNames.MulticastGroup, index));
                socket = s;
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket is not null ? new MdnsListener(socket) : throw new InvalidOperationException("cannot listen in " + netns, failure);
    }

    /// <summary>Waits for a message that <paramref name="match"/> accepts (also among those already received).</summary>
    public async Task<Message?> WaitForAsync(Func<Message, bool> match, TimeSpan timeout)
    {
        long end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            lock (_messages)
            {
                var found = _messages.FirstOrDefault(match);
                if (found is not null) return found;
            }
            long left = end - Environment.TickCount64;
            if (left <= 0 || !await _received.WaitAsync(TimeSpan.FromMilliseconds(left))) return null;
        }
    }

    private async Task ReceiveAll()
    {
        var buffer = new byte[9000];
        while (true)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            if (MdnsPacket.TryRead(buffer, length, out var message))
            {
                lock (_messages) _messages.Add(message);
                _received.Release();
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        // The semaphore goes only once the receiving task can no longer release it.
        if (_receiving.Wait(TimeSpan.FromSeconds(5))) _received.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}
