using OC.CliClient.Commands;
using OC.Protocol.Client;
using OC.Protocol.Messages;

namespace OC.CliClient.Chat;

internal sealed partial class LiveSession
{
    private readonly HashSet<ulong> _sentHere = [];
    private TaskCompletionSource<Generation> _ready = NewReady();

    /// <summary>
    /// Sends a message over the current connection, waiting for one if there is none. When the
    /// connection breaks before SENT, it sends again with the same <paramref name="messageId"/> once
    /// reconnected: the appliance stores the message once and answers with its first seq.
    /// ERROR replies (not a friend, say) are thrown as they are.
    /// </summary>
    public Task<Sent> SendAsync(uint to, string text, byte[] messageId, CancellationToken cancellationToken) =>
        SendOnceAsync((c, t) => OcMessages.SendAsync(c, to, text, messageId, t), cancellationToken);

    /// <summary>SEND or ROOM_SEND (<paramref name="send"/>, with its message id fixed) until a connection answers it.</summary>
    private async Task<Sent> SendOnceAsync(Func<OcConnection, CancellationToken, Task<Sent>> send, CancellationToken cancellationToken)
    {
        while (true)
        {
            var generation = await Volatile.Read(ref _ready).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var sent = await generation.Link.UnhurriedAsync(send, cancellationToken).ConfigureAwait(false);
                lock (_sentHere) _sentHere.Add(sent.Seq);
                try
                {
                    await SaveCursorAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The message is sent; without the file it is merely shown again at the next start.
                }

                return sent;
            }
            catch (Exception e) when ((ApplianceLink.IsTransient(e) || e is ObjectDisposedException) && !cancellationToken.IsCancellationRequested)
            {
                // Wait until the session notices the loss itself, or this would spin on a dead link.
                await generation.Lost.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The current connection, for a file transfer of <c>oc chat</c> (<c>/send</c>, <c>/get</c>),
    /// waiting for one if there is none. The transfer subscribes to its file id on it, beside the
    /// events this session reads; a lost connection ends the transfer (running it again resumes).
    /// </summary>
    public async Task<TransferLink> LendLinkAsync(CancellationToken cancellationToken)
    {
        var generation = await Volatile.Read(ref _ready).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return TransferLink.Lent(generation.Link);
    }

    /// <summary>
    /// A message this process sent (or an earlier one, by the saved cursor): it was shown when it
    /// was typed, so a SYNC after a reconnect, or at the next start, does not show it again.
    /// </summary>
    private bool SentHere(ulong seq)
    {
        lock (_sentHere) return _sentHere.Contains(seq);
    }

    private void Ready(Generation generation) => Volatile.Read(ref _ready).TrySetResult(generation);

    private void Lost(Generation generation)
    {
        // A fresh slot first: a sender woken by Lost must find the next connection's slot, not this one.
        if (Volatile.Read(ref _ready).Task.IsCompleted) Volatile.Write(ref _ready, NewReady());
        generation.Lost.TrySetResult();
    }

    /// <summary>The connection now in use, if any (for a quick request such as FIND_USER).</summary>
    private ApplianceLink? CurrentLink
    {
        get
        {
            var ready = Volatile.Read(ref _ready).Task;
            return ready.IsCompletedSuccessfully ? ready.Result.Link : null;
        }
    }

    private static TaskCompletionSource<Generation> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One connection's life: senders wait for <see cref="Lost"/> before they try the next one.</summary>
    private sealed class Generation(ApplianceLink link)
    {
        public ApplianceLink Link { get; } = link;

        public TaskCompletionSource Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set by the watchdog: the connection is up but the appliance does not answer.</summary>
        public bool Unanswered { get; set; }
    }
}
