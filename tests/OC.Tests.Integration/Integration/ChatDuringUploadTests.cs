using OC.Protocol.Client;
using static OC.Tests.Integration.ChatPeers;

namespace OC.Tests.Integration;

/// <summary>
/// Chat between two users while two others move a file through the same appliance. This checks
/// only that every message arrives, in order, while the upload is under way; how prompt chat stays
/// meanwhile is measured, not asserted (timings differ from one machine and day to the next):
/// `dotnet run -c Release --project bench/OC.Bench -- chat-during-upload`, see docs/performance.md.
/// </summary>
public sealed class ChatDuringUploadTests
{
    private const long UploadBytes = 64L * 1024 * 1024;
    private const int Messages = 20;

    [Fact]
    public async Task Every_message_between_others_arrives_in_order_while_an_upload_runs()
    {
        using var appliance = new TestAppliance();
        var (_, aliceConn) = await NewUserAsync(appliance, "alice");
        var (bob, bobConn) = await NewUserAsync(appliance, "bob");
        await BefriendAsync(aliceConn, bob, bobConn);
        var (_, carolConn) = await NewUserAsync(appliance, "carol");
        var (dave, daveConn) = await NewUserAsync(appliance, "dave");
        await using var _a = aliceConn;
        await using var _b = bobConn;
        await using var _c = carolConn;
        await using var _d = daveConn;
        await BefriendAsync(carolConn, dave, daveConn);
        Assert.Empty(await SyncAsync(daveConn, 0));

        // The upload's content stops at a checkpoint before each message and goes on while that
        // message travels; it stops once more after the last, so the upload is under way during
        // every message by construction, on any machine, and not because it happened to be slow.
        var content = new SteppedContent(UploadBytes, Messages + 1);
        byte[] sha = content.Sha256();
        var upload = Task.Run(() => OcFiles.UploadAsync(aliceConn, bob, "large.bin", content));
        try
        {
            for (int i = 0; i < Messages; i++)
            {
                await WhileUploadingAsync(content.ReachedAsync(i), upload);
                content.Release(i);
                await SendAsync(carolConn, dave, $"m{i}").WaitAsync(EventTimeout);
                Assert.Equal($"m{i}", (await NextMessageAsync(daveConn)).Text);
            }
            await WhileUploadingAsync(content.ReachedAsync(Messages), upload);
        }
        finally
        {
            content.ReleaseAll();
        }
        ulong id = await upload.WaitAsync(EventTimeout);

        // The bytes arrived whole: the download checks what it receives against the appliance's
        // SHA-256, which must be that of what was sent.
        var entry = await OcFiles.DownloadAsync(bobConn, id, Stream.Null);
        Assert.Equal(sha, entry.Sha256);
    }

    /// <summary>Waits for <paramref name="step"/>; the upload must not have ended (it cannot have completed: it waits at a checkpoint).</summary>
    private static async Task WhileUploadingAsync(Task step, Task<ulong> upload)
    {
        await Task.WhenAny(step, upload).WaitAsync(EventTimeout);
        if (upload.IsCompleted) await upload; // a failed upload throws its own error
        Assert.False(upload.IsCompleted, "the upload ended before the last message");
    }
}
