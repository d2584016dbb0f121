using System.Diagnostics;
using System.Globalization;
using OC.CliClient.Commands;
using OC.CliClient.Terminal;
using OC.Protocol.Client;

namespace OC.CliClient.Chat;

/// <summary>
/// <c>/send PATH</c> and <c>/get FILE_ID [PATH]</c>: each transfer runs in the background on the
/// chat's own connection (<see cref="FileTransfers"/>, <see cref="LiveSession.LendLinkAsync"/>), so
/// the chat goes on meanwhile; a line says when it starts, every few seconds how far it is, and how
/// it ended. Leaving with /quit or Ctrl-D waits for the transfers; Ctrl-C or a signal stops them,
/// and so does a lost connection (the same command resumes them).
/// </summary>
internal sealed partial class ChatLoop
{
    private readonly List<Task> _transfers = [];
    private readonly CancellationTokenSource _stopTransfers = new();
    private int _failedTransfers;

    // The command's token (a signal), set when RunAsync starts. A signal ends the session, and with
    // it the connection the transfers run on, possibly before _stopTransfers is cancelled.
    private CancellationToken _signal;

    private void StartSend(string argument)
    {
        var current = _current;
        if (current is null)
        {
            _console.Warn("no conversation yet: /to NUMBER first, then /send PATH");
            return;
        }
        if (argument.Length == 0)
        {
            _console.Warn("/send PATH: which file? (a path; ~/ is your home folder)");
            return;
        }

        uint to = current.Id;
        string path = ExpandHome(argument);
        string name = FileTransfers.Display(Path.GetFileName(path));
        // A room's file goes to every member ("Room files"); they learn of it from the room's stream.
        string whom = current.IsRoom ? RoomLines.Label(to, _session.RoomName(to)) : _session.Nick(to);
        _console.Print($"* sending {name} to {whom}");
        Track(async token =>
        {
            var progress = new ChatProgress(_console, "sending " + name);
            var entry = current.IsRoom
                ? await FileTransfers.SendToRoomAsync(_session.LendLinkAsync, to, path, progress, token).ConfigureAwait(false)
                : await FileTransfers.SendAsync(_session.LendLinkAsync, to, path, progress, token).ConfigureAwait(false);
            _console.Print(string.Create(CultureInfo.InvariantCulture,
                $"* sent {name} ({TransferProgress.Bytes((long)entry.Size)}) to {whom} as file {entry.FileId:x16}"));
        }, $"{name} was not sent", $"/send {argument}");
    }

    private void StartGet(string argument)
    {
        string[] words = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0 || !FileTransfers.TryParseId(words[0], out ulong id))
        {
            _console.Warn("/get FILE_ID [PATH]: the file id is 16 hex digits (from the line that announced the file, or oc file list)");
            return;
        }

        string? output = words.Length > 1 ? ExpandHome(words[1]) : null;
        string what = id.ToString("x16", CultureInfo.InvariantCulture);
        _console.Print($"* getting file {what}");
        Track(async token =>
        {
            var (entry, target) = await FileTransfers.GetAsync(_session.LendLinkAsync, id, output, force: false, new ChatProgress(_console, "getting " + what), token,
                overwriteHint: $"/get {what} PATH saves it elsewhere").ConfigureAwait(false);
            _console.Print($"* saved {FileTransfers.Display(entry.Name)} ({TransferProgress.Bytes((long)entry.Size)}) to {target}; SHA-256 checked");
        }, $"file {what} was not saved", $"/get {argument}");
    }

    private void Track(Func<CancellationToken, Task> transfer, string failed, string again)
    {
        var token = _stopTransfers.Token;
        var task = Task.Run(async () =>
        {
            try
            {
                await transfer(token).ConfigureAwait(false);
            }
            catch (Exception e) when (StoppedBy(e, token))
            {
                _console.Warn($"{failed}: stopped; {again} resumes it");
            }
            catch (Exception e) when (ApplianceLink.IsTransient(e))
            {
                // The chat's connection dropped under the transfer; the chat reconnects by itself.
                Interlocked.Increment(ref _failedTransfers);
                _console.Warn($"{failed}: {ErrorReport.OneLine(ErrorReport.Describe(e).Message)}; {again} resumes it");
            }
#pragma warning disable CA1031 // Any failure of one transfer is reported in the chat, which goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failedTransfers);
                _console.Warn($"{failed}: {ErrorReport.OneLine(ErrorReport.Describe(e).Message)}");
            }
        }, CancellationToken.None);
        lock (_transfers)
        {
            _transfers.RemoveAll(t => t.IsCompleted);
            _transfers.Add(task);
        }
    }

    /// <summary>
    /// A transfer that ends because leaving stopped it: cancelled, or, after a signal, its
    /// connection (the session's, which a signal ends too, maybe first) closed under it.
    /// </summary>
    private bool StoppedBy(Exception e, CancellationToken token) =>
        (e is OperationCanceledException && token.IsCancellationRequested)
        || (_signal.IsCancellationRequested && (e is OperationCanceledException || ApplianceLink.IsTransient(e)));

    /// <summary>Leaving: waits for the running transfers, or stops them (<paramref name="stop"/>: Ctrl-C, a signal, the session gone).</summary>
    private async Task EndTransfersAsync(bool stop)
    {
        Task[] running;
        lock (_transfers) running = [.. _transfers.Where(t => !t.IsCompleted)];
        if (running.Length > 0 && !stop)
        {
            _console.Print(running.Length == 1
                ? "* waiting for the file transfer to finish (Ctrl-C stops it; the same command resumes it)"
                : $"* waiting for {running.Length} file transfers to finish (Ctrl-C stops them; the same commands resume them)");
        }
        if (stop) await _stopTransfers.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>Leaving by /quit or Ctrl-D waits for the transfers until they end or Ctrl-C (a key, or a signal) stops them.</summary>
    private async Task FinishTransfersAsync(bool stopNow, CancellationToken signal)
    {
        var ending = EndTransfersAsync(stopNow);
        if (!stopNow)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(signal);
            var interrupt = WaitForInterruptAsync(done.Token);
            if (await Task.WhenAny(ending, interrupt).ConfigureAwait(false) == interrupt) await _stopTransfers.CancelAsync().ConfigureAwait(false);
            await done.CancelAsync().ConfigureAwait(false);
            await Quiet(interrupt).ConfigureAwait(false);
        }
        await ending.ConfigureAwait(false);
    }

    /// <summary>Ends at a Ctrl-C typed at the terminal or a signal; never otherwise (until cancelled).</summary>
    private async Task WaitForInterruptAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var input in _console.Input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (input.Kind == ChatInputKind.Interrupt) return;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A signal ends the wait too (and the caller's own cancel, once the transfers ended).
        }
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;

    /// <summary>A transfer's progress as a chat line every 5 seconds (a bar would fight the line editor).</summary>
    private sealed class ChatProgress(ChatConsole console, string what) : IProgress<FileTransferProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastMs;

        public void Report(FileTransferProgress value)
        {
            long now = _clock.ElapsedMilliseconds;
            if (value.Done >= value.Size || now - _lastMs < 5000) return;
            _lastMs = now;
            console.Print(string.Create(CultureInfo.InvariantCulture,
                $"  {what}: {100.0 * value.Done / value.Size:0}% ({TransferProgress.Bytes(value.Done)} of {TransferProgress.Bytes(value.Size)})"));
        }
    }
}
