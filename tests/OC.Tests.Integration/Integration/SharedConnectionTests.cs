using System.Security.Cryptography;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>
/// One <see cref="OcConnection"/> carrying an upload, a download and a live session's events at
/// once (as <c>oc chat</c> does with /send and /get): each pushed frame reaches its subscriber.
/// </summary>
public sealed class SharedConnectionTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_upload_a_download_and_live_events_run_at_once_on_one_connection()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await BefriendAsync(aliceConn, bob, bobConn);
        Assert.Empty(await SyncAsync(aliceConn, 0)); // live: MESSAGE events come as they are stored

        var fromBob = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 11);
        ulong fromBobId = await OcFiles.UploadAsync(bobConn, alice, "from-bob.bin", new MemoryStream(fromBob));
        var toBob = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 7);

        // Both transfers stop half way on alice's side (her disk, say) and stay subscribed meanwhile.
        using var source = new HeldStream(toBob, holdAt: 1024 * 1024);
        using var target = new HeldStream([], holdAt: 1024 * 1024);
        var upload = OcFiles.UploadAsync(aliceConn, bob, "to-bob.bin", source);
        var download = OcFiles.DownloadAsync(aliceConn, fromBobId, target);
        await source.Held.Task.WaitAsync(Generous);
        await target.Held.Task.WaitAsync(Generous);

        // The events still reach the general reader: the announcement of bob's file, a message.
        var notice = await NextAsync(aliceConn, FrameType.FileReceived);
        Assert.True(FileEntry.TryRead(notice.Payload, out var announced));
        Assert.Equal(fromBobId, announced.FileId);
        var sent = await SendAsync(bobConn, alice, "while you transfer");
        Assert.Equal(sent.Seq, (await NextMessageAsync(aliceConn)).Seq);

        // Released, both finish while alice sends from more tasks: no frame is cut into another.
        source.Release();
        target.Release();
        var chatter = Enumerable.Range(0, 50).Select(i => SendAsync(aliceConn, bob, $"busy {i}"));
        await Task.WhenAll(chatter).WaitAsync(Generous);
        ulong toBobId = await upload.WaitAsync(Generous);
        var entry = await download.WaitAsync(Generous);

        Assert.Equal("from-bob.bin", entry.Name);
        Assert.Equal(fromBob, target.ToArray());
        using var atBob = new MemoryStream();
        await OcFiles.DownloadAsync(bobConn, toBobId, atBob);
        Assert.Equal(toBob, atBob.ToArray());
        Assert.Null(aliceConn.ClosedBecause);
    }

    [Fact]
    public async Task The_same_transfer_twice_on_one_connection_is_refused_before_it_reaches_the_wire()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await BefriendAsync(aliceConn, bob, bobConn);
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);

        // A second offer of a running upload would take it over on this very connection, and the
        // first one's next chunk would then close it: the second one must not be sent at all.
        using var first = new HeldStream(content, holdAt: 1024 * 1024);
        var upload = OcFiles.UploadAsync(aliceConn, bob, "twice.bin", first);
        await first.Held.Task.WaitAsync(Generous);
        await Assert.ThrowsAsync<InvalidOperationException>(() => OcFiles.UploadAsync(aliceConn, bob, "twice.bin", new MemoryStream(content)));
        first.Release();
        ulong id = await upload.WaitAsync(Generous);

        // Likewise a download of a file that this connection is downloading already.
        using var held = new HeldStream([], holdAt: 1024 * 1024);
        var download = OcFiles.DownloadAsync(bobConn, id, held);
        await held.Held.Task.WaitAsync(Generous);
        await Assert.ThrowsAsync<InvalidOperationException>(() => OcFiles.DownloadAsync(bobConn, id, new MemoryStream()));
        held.Release();
        await download.WaitAsync(Generous);
        Assert.Equal(content, held.ToArray());
        Assert.Null(aliceConn.ClosedBecause);
        Assert.Null(bobConn.ClosedBecause);
    }

    [Fact]
    public async Task A_download_given_up_half_way_is_stopped_on_the_appliance_and_the_connection_carries_on()
    {
        using var appliance = new TestAppliance();
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await BefriendAsync(aliceConn, bob, bobConn);
        var files = new List<(ulong Id, byte[] Content)>();
        for (int i = 0; i < 3; i++)
        {
            var content = RandomNumberGenerator.GetBytes(4 * 1024 * 1024 + i);
            files.Add((await OcFiles.UploadAsync(aliceConn, bob, $"file{i}.bin", new MemoryStream(content)), content));
        }

        // All of it fits the appliance's window, so it has sent everything; bob acknowledged 1 MiB.
        using var held = new HeldStream([], holdAt: 1024 * 1024);
        using var cancel = new CancellationTokenSource();
        var abandoned = OcFiles.DownloadAsync(bobConn, files[0].Id, held, cancellationToken: cancel.Token);
        await held.Held.Task.WaitAsync(Generous);
        await cancel.CancelAsync();
        held.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Generous));

        // Stopped on the appliance, not just here: two other downloads at once (the connection's
        // limit) are not refused, and no FILE_DATA of the abandoned one lands among the events.
        var others = files.Skip(1).Select(async f =>
        {
            using var copy = new MemoryStream();
            await OcFiles.DownloadAsync(bobConn, f.Id, copy);
            Assert.Equal(f.Content, copy.ToArray());
        });
        await Task.WhenAll(others).WaitAsync(Generous);
        using (var copy = new MemoryStream())
        {
            await OcFiles.DownloadAsync(bobConn, files[0].Id, copy).WaitAsync(Generous);
            Assert.Equal(files[0].Content, copy.ToArray());
        }
        while (bobConn.Events.TryRead(out var frame)) Assert.NotEqual(FrameType.FileData, frame.Type);
        Assert.Null(bobConn.ClosedBecause);
    }

    [Fact]
    public async Task Events_beyond_the_queue_wait_in_the_socket_and_none_is_lost()
    {
        // Thousands of messages from one user as fast as the test can: no rate limit.
        using var appliance = new TestAppliance(configure: o => o with { RateLimits = OC.Appliance.Limits.RateLimitSettings.Off });
        var (alice, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await BefriendAsync(aliceConn, bob, bobConn);
        Assert.Empty(await SyncAsync(bobConn, 0));

        // More messages than Events holds (4,096), to a live bob who reads none of them yet.
        const int Count = 5000;
        var seqs = new List<ulong>();
        for (int batch = 0; batch < Count; batch += 250)
        {
            var sends = Enumerable.Range(batch, Math.Min(250, Count - batch)).Select(i => SendAsync(aliceConn, bob, $"flood {i}"));
            seqs.AddRange((await Task.WhenAll(sends)).Select(s => s.Seq));
        }
        Assert.InRange(bobConn.Events.Count, 0, 4096);

        var received = new List<ulong>();
        while (received.Count < Count) received.Add((await NextMessageAsync(bobConn)).Seq);
        Assert.Equal(seqs.Order(), received);
        Assert.Null(bobConn.ClosedBecause);
    }

    /// <summary>
    /// A stream that holds a read or a write at <c>holdAt</c> bytes until <see cref="Release"/>:
    /// a transfer stopped half way for as long as the test needs, with no clock involved.
    /// </summary>
    private sealed class HeldStream : MemoryStream
    {
        private readonly long _holdAt;
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldStream(byte[] content, long holdAt)
        {
            Write(content);
            Position = 0;
            _holdAt = holdAt;
        }

        /// <summary>Set once a read or write is held.</summary>
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= _holdAt) await HoldAsync();
            return await base.ReadAsync(buffer, cancellationToken);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Length >= _holdAt) await HoldAsync();
            await base.WriteAsync(buffer, cancellationToken);
        }

        private Task HoldAsync()
        {
            Held.TrySetResult();
            return _released.Task;
        }
    }
}
