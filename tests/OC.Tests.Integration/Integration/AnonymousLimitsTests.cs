using System.Buffers.Binary;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Support;

namespace OC.Tests.Integration;

/// <summary>
/// What a stranger can make the appliance hold (issue 11): frames of at most 4 KiB before a login,
/// and a bounded number of connections not logged in, per address and in all. Real appliance on
/// loopback, raw sockets as an attacker would use them.
/// </summary>
public sealed class AnonymousLimitsTests
{
    [Fact]
    public void Before_a_login_a_frame_announcing_more_than_4_KiB_closes_the_connection_before_its_payload_comes()
    {
        using var appliance = new TestAppliance();
        using var client = new RawClient(appliance.Port);
        client.SendHello();
        Assert.Equal(FrameType.Welcome, client.ReadFrame()!.Value.Header.Type);

        // Only the header of a 1 MiB frame: the appliance must not wait for (or buffer) the rest.
        Span<byte> header = stackalloc byte[Frame.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)(Frame.MinLengthValue + 1024 * 1024));
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)FrameType.Send);
        BinaryPrimitives.WriteUInt32BigEndian(header[6..], 2);
        client.Send(header);

        var error = client.ReadError(Frame.NoRequest);
        Assert.Equal(ErrorCode.FrameTooLarge, error.Code);
        Assert.Equal("frame larger than the maximum payload of 4096 bytes before a login", error.Message);
        client.AssertClosedByAppliance();
    }

    [Fact]
    public async Task After_a_login_the_full_frame_limit_applies_and_after_a_logout_the_small_one_again()
    {
        using var appliance = new TestAppliance();
        await using var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, "alice", "pw-alice-1");
        await TestUsers.LoginAsync(connection, number, "pw-alice-1");

        // A 200 KiB FILE_CHUNK of no upload: dropped (not fatal), so the connection answers a PING after it.
        await connection.SendAsync(b => FileChunk.Write(b, FrameType.FileChunk, 0xdead, 0, new byte[200 * 1024]));
        var pong = await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id));
        Assert.Equal(FrameType.Pong, pong.Type);

        await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Logout, id));
        // Closed by the appliance (FRAME_TOO_LARGE; the raw test above reads the ERROR itself) as
        // soon as the header is in: the rest of the write may already fail (a broken pipe), or the PING after it.
        await Assert.ThrowsAsync<OcConnectionException>(async () =>
        {
            await connection.SendAsync(b => FileChunk.Write(b, FrameType.FileChunk, 0xdead, 0, new byte[200 * 1024]));
            await connection.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id));
        });
    }

    [Fact]
    public async Task Connections_that_have_not_logged_in_are_capped_per_address()
    {
        using var appliance = new TestAppliance(configure: o => o with { MaxAnonymousPerAddress = 3 });
        var waiting = new List<RawClient>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var client = new RawClient(appliance.Port);
                waiting.Add(client);
                client.SendHello();
                Assert.Equal(FrameType.Welcome, client.ReadFrame()!.Value.Header.Type);
            }

            using (var fourth = new RawClient(appliance.Port, tls: false))
            {
                var error = fourth.ReadError(Frame.NoRequest);
                Assert.Equal(ErrorCode.TooManyConnections, error.Code);
                Assert.Equal("3 connections from 127.0.0.1 are waiting to log in; try again later", error.Message);
                fourth.AssertClosedByAppliance();
            }

            // One leaves; its place is taken by a connection that logs in, which then no longer
            // counts: a new stranger gets in again, and the one after it does not.
            // Polled: nothing tells a client that the appliance has finished closing a connection
            // (the refused one: it may see the end of the stream before the appliance forgets it).
            await Eventually.TrueAsync(() => appliance.Server.ConnectionCount == 3, Eventually.Deadline, "the three waiting connections alone");
            waiting[0].Dispose();
            waiting.RemoveAt(0);
            await Eventually.TrueAsync(() => appliance.Server.ConnectionCount == 2, Eventually.Deadline, "the appliance to see the close");
            await using var member = await appliance.ConnectAsync();
            uint number = await TestUsers.RegisterAsync(member, "bob", "pw-bob-123");
            await TestUsers.LoginAsync(member, number, "pw-bob-123");

            var third = new RawClient(appliance.Port);
            waiting.Add(third);
            third.SendHello();
            Assert.Equal(FrameType.Welcome, third.ReadFrame()!.Value.Header.Type);
            using var fifth = new RawClient(appliance.Port, tls: false);
            Assert.Equal(ErrorCode.TooManyConnections, fifth.ReadError(Frame.NoRequest).Code);
        }
        finally
        {
            foreach (var client in waiting) client.Dispose();
        }
    }
}
