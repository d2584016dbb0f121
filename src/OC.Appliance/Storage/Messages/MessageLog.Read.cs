namespace OC.Appliance.Storage.Messages;

/// <summary>
/// Takes messages read from the log, one at a time (the record's spans live only during the call).
/// A ref struct may take them (generic, no boxing), so a frame writer can stay on the stack.
/// </summary>
internal interface IMessageSink
{
    /// <summary>Takes one message; false stops the read before it (the page is full).</summary>
    bool Accept(in MessageRecord message);
}

internal sealed partial class MessageLog
{
    /// <summary>
    /// Hands the user's messages (sent or received) after <paramref name="afterSeq"/> to
    /// <paramref name="sink"/>, oldest first, until it declines one; true when it did (more remain).
    /// </summary>
    public bool ReadForUser<TSink>(int user, ulong afterSeq, ref TSink sink) where TSink : IMessageSink, allows ref struct
    {
        foreach (var entry in _index.ForUserAfter(user, afterSeq))
        {
            if (!sink.Accept(ReadAt(entry.Offset))) return true;
        }
        return false;
    }

    /// <summary>
    /// The newest <paramref name="limit"/> messages between the two users before
    /// <paramref name="beforeSeq"/> (0: from the newest), oldest first: how many, whether older
    /// ones exist, and <paramref name="read"/> hands them over.
    /// </summary>
    public ConversationPage Conversation(int user, int peer, ulong beforeSeq, int limit)
    {
        var entries = _index.ConversationBefore(user, peer, beforeSeq);
        int take = Math.Min(limit, entries.Length);
        return new ConversationPage(this, user, peer, beforeSeq, take, More: entries.Length > take);
    }

    /// <summary>One page of a conversation (see <see cref="Conversation"/>); valid until the log changes.</summary>
    internal readonly record struct ConversationPage(MessageLog Log, int User, int Peer, ulong BeforeSeq, int Count, bool More)
    {
        public void Read<TSink>(ref TSink sink) where TSink : IMessageSink, allows ref struct
        {
            var entries = Log._index.ConversationBefore(User, Peer, BeforeSeq);
            foreach (var entry in entries[^Count..])
            {
                if (!sink.Accept(Log.ReadAt(entry.Offset))) return;
            }
        }
    }
}
