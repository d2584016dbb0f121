namespace OC.Appliance.Net.Tls;

/// <summary>
/// Clears the thread's SynchronizationContext while SslStream works, and restores it after.
/// Some of SslStream's awaits are on Task-backed operations, and a Task runs its continuations
/// inline only where no SynchronizationContext is current, even with ConfigureAwait(false);
/// otherwise it queues them to the thread pool, which would move SslStream off the loop thread.
/// The loop thread has none: this matters for the start-up self-test on a host's thread (a test
/// runner's, a UI's) and keeps the engine correct wherever it is driven from.
/// </summary>
internal readonly ref struct NoSynchronizationContext
{
    private readonly SynchronizationContext? _saved;

    public NoSynchronizationContext()
    {
        _saved = SynchronizationContext.Current;
        if (_saved is not null) SynchronizationContext.SetSynchronizationContext(null);
    }

    public void Dispose()
    {
        if (_saved is not null) SynchronizationContext.SetSynchronizationContext(_saved);
    }
}
