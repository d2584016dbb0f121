using System.Buffers.Binary;
using System.Net.Sockets;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Integration;

/// <summary>Bad input of every kind closes that one connection with a clear error; everyone else carries on.</summary>
public abstract class ProtocolAbuseTests(string poller)
{
    protected string Poller { get; } = poller;

    private static byte[] LengthOnly(int length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        return bytes;
    }

    [Theory]
    [InlineData(-1, ErrorCode.MalformedFrame)]
    [InlineData(0, ErrorCode.MalformedFrame)]
    [InlineData(int.MaxValue, ErrorCode.FrameTooLarge)]
    public void Bad_length_gets_an_error_and_the_connection_is_closed(int length, ErrorCode expected)
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.SendHello();
        Assert.Equal(FrameType.Welcome, raw.ReadFrame()!.Value.Header.Type);

        raw.Send(LengthOnly(length));
        Assert.Equal(expected, raw.ReadError(Frame.NoRequest).Code);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public async Task Random_garbage_closes_only_that_connection()
    {
        using var appliance = new TestAppliance(Poller);
        await using var bystander = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(bystander, "bystander", "pw");

        var random = new Random(1234);
        for (int round = 0; round < 20; round++)
        {
            using var raw = new RawClient(appliance.Port);
            if (round % 2 == 0) raw.SendHello();
            var garbage = new byte[random.Next(1, 5000)];
            random.NextBytes(garbage);
            try
            {
                raw.Send(garbage);
            }
            catch (SocketException)
            {
                // The appliance may already have closed it: that is the point.
            }
            // Whatever the garbage said, the appliance answers with at most a few frames and then
            // either closes the connection or waits for the rest of a (valid-length) frame.
            raw.Socket.Shutdown(SocketShutdown.Send);
            while (raw.ReadFrame() is not null)
            {
            }
        }

        // The bystander is still served, and new clients too.
        await TestUsers.LoginAsync(bystander, number, "pw");
        await using var newcomer = await appliance.ConnectAsync();
        Assert.Equal(number, (await TestUsers.LoginAsync(newcomer, number, "pw")).OcNumber);
    }

    [Fact]
    public void A_frame_before_hello_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.Send(b => EmptyFrame.Write(b, FrameType.WhoAmI, 5));
        var error = raw.ReadError(5);
        Assert.Equal(ErrorCode.UnexpectedFrame, error.Code);
        Assert.Contains("HELLO", error.Message, StringComparison.Ordinal);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public void A_second_hello_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.SendHello();
        Assert.Equal(FrameType.Welcome, raw.ReadFrame()!.Value.Header.Type);
        raw.Send(b => Hello.Write(b, 2, new Hello(1, 1, "again")));
        Assert.Equal(ErrorCode.UnexpectedFrame, raw.ReadError(2).Code);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public void Login_finish_without_a_challenge_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.SendHello();
        raw.ReadFrame();
        raw.Send(b => ScramStep.Write(b, FrameType.LoginFinish, 3, "c=biws,r=x,p=eA=="));
        Assert.Equal(ErrorCode.UnexpectedFrame, raw.ReadError(3).Code);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public void An_unsupported_version_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.Send(b => Hello.Write(b, 1, new Hello(2, 3, "future")));
        Assert.Equal(ErrorCode.UnsupportedVersion, raw.ReadError(1).Code);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public void A_request_with_id_zero_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.SendHello();
        raw.ReadFrame();
        raw.Send(b => EmptyFrame.Write(b, FrameType.Ping, 0));
        Assert.Equal(ErrorCode.MalformedFrame, raw.ReadError(0).Code);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public void A_malformed_payload_is_refused()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.SendHello();
        raw.ReadFrame();
        // A PING must be empty.
        raw.Send(b =>
        {
            var w = FrameWriter.Begin(b, FrameType.Ping, 4);
            w.WriteU32(7);
            w.End();
        });
        Assert.Equal(ErrorCode.MalformedFrame, raw.ReadError(4).Code);
        raw.AssertClosedByAppliance();
    }

    [Fact]
    public void An_unknown_frame_type_is_answered_and_the_connection_stays()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.SendHello();
        raw.ReadFrame();
        raw.Send(b => EmptyFrame.Write(b, (FrameType)0x7777, 8));
        Assert.Equal(ErrorCode.UnknownFrameType, raw.ReadError(8).Code);

        raw.Send(b => EmptyFrame.Write(b, FrameType.Ping, 9));
        var pong = raw.ReadFrame();
        Assert.Equal(FrameType.Pong, pong!.Value.Header.Type);
        Assert.Equal(9u, pong.Value.Header.RequestId);
    }

    [Fact]
    public void Pipelined_frames_in_one_write_are_all_answered_in_order()
    {
        using var appliance = new TestAppliance(Poller);
        using var raw = new RawClient(appliance.Port);
        raw.Send(b =>
        {
            Hello.Write(b, 1, new Hello(1, 1, "pipelined"));
            for (uint id = 2; id < 200; id++) EmptyFrame.Write(b, FrameType.Ping, id);
        });
        Assert.Equal(FrameType.Welcome, raw.ReadFrame()!.Value.Header.Type);
        for (uint id = 2; id < 200; id++) Assert.Equal(id, raw.ReadFrame()!.Value.Header.RequestId);
    }

    [Fact]
    public void A_silent_connection_is_closed_after_the_hello_timeout()
    {
        using var appliance = new TestAppliance(Poller, configure: o => o with { HelloTimeout = TimeSpan.FromSeconds(1) });
        using var raw = new RawClient(appliance.Port);
        var error = raw.ReadError(Frame.NoRequest);
        Assert.Equal(ErrorCode.IdleTimeout, error.Code);
        raw.AssertClosedByAppliance();
    }
}

public sealed class ProtocolAbuseTests_epoll() : ProtocolAbuseTests("epoll");

public sealed class ProtocolAbuseTests_select() : ProtocolAbuseTests("select");
