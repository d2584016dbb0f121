using System.Buffers.Binary;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load.Soak;

/// <summary>
/// The memory attack of issue 11, in waves: every <c>every</c>, for <see cref="Hold"/>,
/// <list type="bullet">
/// <item><see cref="Strangers"/> connections that never log in send HELLO, the header of a frame
/// of 1 MiB and all of it but 16 bytes, and stall (as StrangerMemoryTests does it). The appliance
/// cuts a stranger's frame over 4 KiB at its header, so these are closed at once;</item>
/// <item><see cref="SmallStrangers"/> do the same with a 4 KiB frame, the most a stranger may make
/// the appliance hold: these stay;</item>
/// <item><see cref="Insiders"/> logged-in connections (RESUME) do the same with a 1 MiB
/// FILE_CHUNK: the input budget (64 MiB by default) bounds what all of them can hold, and those
/// beyond it are not read.</item>
/// </list>
/// Then every attacker closes.
/// </summary>
internal static class SoakAttack
{
    public const int Strangers = 400;
    public const int SmallStrangers = 200;
    public const int Insiders = 100;
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);
    private const int ConnectParallelism = 64;

    public static async Task RunAsync(Target target, byte[] token, TimeSpan every, SoakCounters counters, CancellationToken stop)
    {
        var bigBody = new byte[Frame.DefaultMaxPayload - 16];
        var smallBody = new byte[4096 - 16];
        try
        {
            // The first wave after half a period, so the run starts with a baseline.
            await Task.Delay(every / 2, stop).ConfigureAwait(false);
            using var timer = new PeriodicTimer(every);
            do
            {
                double from = counters.Clock.Elapsed.TotalSeconds;
                await WaveAsync(target, token, bigBody, smallBody, counters, stop).ConfigureAwait(false);
                counters.WaveDone(from, counters.Clock.Elapsed.TotalSeconds);
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static async Task WaveAsync(Target target, byte[] token, byte[] bigBody, byte[] smallBody, SoakCounters counters, CancellationToken stop)
    {
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(stop);
        hold.CancelAfter(Hold);
        var attackers = new List<LoadConnection>();
        var sends = new List<Task>();
        bool counted = false;
        try
        {
            var kinds = Enumerable.Repeat(new Attacker(null, bigBody, FrameType.Register), Strangers)
                .Concat(Enumerable.Repeat(new Attacker(null, smallBody, FrameType.Register), SmallStrangers))
                .Concat(Enumerable.Repeat(new Attacker(token, bigBody, FrameType.FileChunk), Insiders));
            await Parallel.ForEachAsync(kinds, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = hold.Token }, async (kind, ct) =>
            {
                LoadConnection connection;
                try
                {
                    connection = await OpenAsync(target, kind.Token, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
                {
                    return;
                }
                lock (attackers) attackers.Add(connection);
                // Not awaited: a stalled sender may block until the hold ends (the appliance does not read it).
                var send = StallAsync(connection, kind.Type, kind.Body, hold.Token);
                lock (sends) sends.Add(send);
            }).ConfigureAwait(false);
            counters.AttackersAdded(attackers.Count);
            counted = true;
            counters.Holding = true;
            await Task.Delay(Timeout.Infinite, hold.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (hold.IsCancellationRequested)
        {
        }
        finally
        {
            counters.Holding = false;
            if (!counted) counters.AttackersAdded(attackers.Count);
            foreach (var connection in attackers) connection.Dispose();
            await Task.WhenAll(sends).ConfigureAwait(false);
        }
    }

    /// <summary>Connects and says HELLO; with a token also RESUME, and waits until logged in.</summary>
    private static async Task<LoadConnection> OpenAsync(Target target, byte[]? token, CancellationToken ct)
    {
        if (token is null)
        {
            var stranger = await LoadConnection.ConnectAsync(target, ct).ConfigureAwait(false);
            LoadConnection.WriteHello(stranger.Output);
            return stranger;
        }
        var insider = await LoadConnection.ConnectAndHelloAsync(target, ct).ConfigureAwait(false);
        try
        {
            var loggedIn = await insider.RequestAsync((b, id) => Resume.Write(b, id, new Resume(token)), 2, ct).ConfigureAwait(false);
            ChatPair.Expect(loggedIn, FrameType.LoggedIn, "RESUME");
            return insider;
        }
        catch
        {
            insider.Dispose();
            throw;
        }
    }

    /// <summary>The header of a frame of <paramref name="body"/>.Length + 16 bytes, then <paramref name="body"/>: 16 bytes short, forever.</summary>
    private static async Task StallAsync(LoadConnection connection, FrameType type, byte[] body, CancellationToken hold)
    {
        var header = new byte[Frame.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)(Frame.MinLengthValue + body.Length + 16));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(6), 3);
        connection.Output.Write(header);
        try
        {
            await connection.SendRawAsync(body, hold).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Cut by the appliance (a stranger's large frame; over TLS SslStream reports the reset
            // as an IOException), or still blocked when the hold ended.
        }
    }

    /// <summary>A stranger (no token) or a logged-in user, and the frame it stalls in.</summary>
    private sealed record Attacker(byte[]? Token, byte[] Body, FrameType Type);
}
