using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load;

/// <summary>
/// A room and its members, each logged in on a connection of their own, set up over the real
/// protocol as clients would: REGISTER and the SCRAM login per member, ROOM_CREATE (open = 1) by
/// the first, ROOM_JOIN by every other, then (when live) one SYNC each, after which every member's
/// session gets each new entry of the room as a ROOM_MESSAGE event (docs/protocol.md, "Room messages").
/// </summary>
internal sealed class RoomMembers : IDisposable
{
    // Members set up at once: each is a connect (a TLS handshake), REGISTER, a SCRAM login (a
    // PBKDF2 in this process) and ROOM_JOIN.
    private const int SetupParallelism = 64;

    private RoomMembers(uint roomId, LoadConnection[] connections, uint[] numbers)
    {
        RoomId = roomId;
        Connections = connections;
        Numbers = numbers;
    }

    public uint RoomId { get; }

    /// <summary>Member i's connection; member 0 created the room (and is the sender of `room`).</summary>
    public LoadConnection[] Connections { get; }
    public uint[] Numbers { get; }

    public static async Task<RoomMembers> CreateAsync(Target target, Register register, int members, bool live, CancellationToken cancellationToken)
    {
        var connections = new LoadConnection[members];
        var numbers = new uint[members];
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = SetupParallelism, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, members), parallel, async (i, ct) =>
            {
                var connection = connections[i] = await LoadConnection.ConnectAndHelloAsync(target, ct).ConfigureAwait(false);
                numbers[i] = await ChatPair.RegisterAsync(connection, register, ct).ConfigureAwait(false);
                await ChatPair.LoginAsync(connection, numbers[i], ct).ConfigureAwait(false);
            }).ConfigureAwait(false);

            var created = await connections[0].RequestAsync((buffer, id) => RoomCreate.Write(buffer, id, new RoomCreate("bench room", Open: true)), 10, cancellationToken).ConfigureAwait(false);
            ChatPair.Expect(created, FrameType.RoomInfo, "ROOM_CREATE");
            if (!RoomInfo.TryRead(created.Payload, out var room)) throw new InvalidOperationException("malformed ROOM_INFO");

            await Parallel.ForEachAsync(Enumerable.Range(1, members - 1), parallel, async (i, ct) =>
            {
                var joined = await connections[i].RequestAsync((buffer, id) => RoomRequest.Write(buffer, FrameType.RoomJoin, id, room.RoomId), 11, ct).ConfigureAwait(false);
                ChatPair.Expect(joined, FrameType.RoomInfo, "ROOM_JOIN");
            }).ConfigureAwait(false);

            // After every join: each SYNC page holds the room's Joined entries (fewer than a page),
            // so it ends with more = 0 and the session is live.
            if (live)
            {
                await Parallel.ForEachAsync(connections, parallel, async (connection, ct) =>
                    await ChatPair.GoLiveAsync(connection, ct).ConfigureAwait(false)).ConfigureAwait(false);
            }
            return new RoomMembers(room.RoomId, connections, numbers);
        }
        catch
        {
            foreach (var connection in connections) connection?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var connection in Connections) connection.Dispose();
    }
}
