using System.Buffers.Binary;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using OC.Tests.Support;

namespace OC.Tests.Integration;

/// <summary>
/// Logged-in clients that start large frames and stall hold at most 64 KiB each plus one shared
/// budget (issue 11): beyond it the appliance stops reading from them instead of allocating, other
/// clients' small frames go on, and a stalled client's share comes back when it leaves.
/// </summary>
public sealed class InputBudgetTests
{
    private const int Budget = 1024 * 1024;
    private const int Own = 64 * 1024;
    private const int FramePayload = 1024 * 1024;
    private const int Sent = 900 * 1024;
    private const int TlsRecordSlack = 16 * 1024 + 256;

    [Theory]
    [MemberData(nameof(TlsEngines.All), MemberType = typeof(TlsEngines))]
    public async Task Partial_frames_beyond_the_budget_wait_and_the_rest_of_the_appliance_goes_on(string engine)
    {
        using var appliance = new TestAppliance(configure: o => o with { SharedInputBytes = Budget }, tlsEngine: engine);
        await using var alice = await LoggedInAsync(appliance, "alice");
        var first = await LoggedInAsync(appliance, "mallory"); // disposed when it leaves, below
        await using var second = await LoggedInAsync(appliance, "trudy");

        // Both start a 1 MiB FILE_CHUNK and send 900 KiB of it: the first takes 836 KiB of the
        // budget, the second the 188 KiB left, and is then not read.
        var firstSend = first.SendAsync(b => b.Write(FrameStart(Sent)));
        await Eventually.TrueAsync(() => appliance.Server.InputBudgetUsed == Sent + Frame.HeaderSize - Own, Eventually.Deadline,
            "the first stalled frame to be held", () => $"{appliance.Server.InputBudgetUsed}");
        var secondSend = second.SendAsync(b => b.Write(FrameStart(Sent)));
        // Polled: the appliance's share of the budget is only visible to it. Over TLS a connection
        // reads only while a whole record's plaintext fits, so the budget is spent to within one.
        await Eventually.TrueAsync(() => appliance.Server.InputBudgetUsed is > Budget - TlsRecordSlack and <= Budget, Eventually.Deadline,
            "the budget to be spent, and no more", () => $"{appliance.Server.InputBudgetUsed}");
        long spent = appliance.Server.InputBudgetUsed;

        // Small frames of others are read as before; the stalled one is not read on.
        Assert.Equal(FrameType.Pong, (await alice.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id))).Type);
        Assert.Equal(spent, appliance.Server.InputBudgetUsed);

        // The first leaves: its share comes back and the second is read on, up to all it sent.
        await first.DisposeAsync();
        await firstSend.ContinueWith(_ => { }, TaskScheduler.Default);
        await Eventually.TrueAsync(() => appliance.Server.InputBudgetUsed == Sent + Frame.HeaderSize - Own, Eventually.Deadline,
            "the second stalled frame to be held whole", () => $"{appliance.Server.InputBudgetUsed}");
        await secondSend;

        // It finishes its frame (a chunk of no upload: dropped before its size is looked at), and
        // nothing is held any more.
        await second.SendAsync(b => b.Write(new byte[FramePayload - Sent]));
        Assert.Equal(FrameType.Pong, (await second.RequestAsync((b, id) => EmptyFrame.Write(b, FrameType.Ping, id))).Type);
        Assert.Equal(0, appliance.Server.InputBudgetUsed);
    }

    // FILE_CHUNK payload before its data: u64 fileId, u64 offset.
    private const int ChunkHeader = FileChunk.HeaderBytes;

    /// <summary>The header of a FILE_CHUNK frame with <see cref="FramePayload"/> bytes of payload, and the first <paramref name="payloadBytes"/> of it.</summary>
    private static byte[] FrameStart(int payloadBytes)
    {
        var bytes = new byte[Frame.HeaderSize + payloadBytes];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(Frame.MinLengthValue + FramePayload));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)FrameType.FileChunk);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(Frame.HeaderSize), 0xdead);
        return bytes;
    }

    private static async Task<OcConnection> LoggedInAsync(TestAppliance appliance, string nick)
    {
        var connection = await appliance.ConnectAsync();
        uint number = await TestUsers.RegisterAsync(connection, nick, $"pw-{nick}-1");
        await TestUsers.LoginAsync(connection, number, $"pw-{nick}-1");
        return connection;
    }
}
