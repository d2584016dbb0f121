namespace OC.CliClient.Commands;

/// <summary>Gets the connection a file transfer runs on (<see cref="FileTransfers"/>).</summary>
internal delegate Task<TransferLink> TransferLinkSource(CancellationToken cancellationToken);

/// <summary>
/// The connection of one file transfer: one of its own (<c>oc file send|get</c>), closed when the
/// transfer ends, or <c>oc chat</c>'s own, lent, which stays open for the chat.
/// </summary>
internal sealed class TransferLink : IAsyncDisposable
{
    private readonly bool _owned;

    private TransferLink(ApplianceLink link, bool owned)
    {
        Link = link;
        _owned = owned;
    }

    public ApplianceLink Link { get; }

    /// <summary>A fresh session of the command's own.</summary>
    public static async Task<TransferLink> OpenAsync(CommandContext context, CancellationToken cancellationToken) =>
        new(await context.OpenSessionAsync(cancellationToken).ConfigureAwait(false), owned: true);

    public static TransferLink Lent(ApplianceLink link) => new(link, owned: false);

    public ValueTask DisposeAsync() => _owned ? Link.DisposeAsync() : ValueTask.CompletedTask;
}
