using System.Runtime.CompilerServices;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>
/// The events of one connection, typed, with the message cursor: the highest seq seen. It runs
/// SYNC from the cursor (offline messages), then yields live events. A message at or below the
/// cursor is dropped, so a message never comes out twice even if the appliance repeated one.
/// </summary>
/// <remarks>
/// This must be the only reader of <see cref="OcConnection.Events"/>, and <see cref="SyncAsync"/>
/// and <see cref="ReadAllAsync"/> must not run at the same time: SYNC relies on the events of a
/// page being queued, unread, when its SYNCED reply arrives.
/// </remarks>
public sealed class OcMessageStream(OcConnection connection, ulong cursor)
{
    private ulong _cursor = cursor;

    // FILE_RECEIVED may come twice for one file (documented as idempotent): shown once per stream.
    private readonly HashSet<ulong> _filesSeen = [];

    /// <summary>The highest seq of a message this stream has returned (or the starting cursor).</summary>
    public ulong Cursor => Interlocked.Read(ref _cursor);

    /// <summary>
    /// SYNC from the cursor, page after page, until the session is live. Returns, in arrival order,
    /// the messages newer than the cursor and any other events that came meanwhile.
    /// </summary>
    public async Task<List<OcEvent>> SyncAsync(CancellationToken cancellationToken = default)
    {
        var events = new List<OcEvent>();
        ulong after = Cursor;
        while (true)
        {
            var synced = await OcMessages.SyncPageAsync(connection, after, cancellationToken).ConfigureAwait(false);

            // The receive loop queues a page's MESSAGE events before it completes SYNCED, and nobody
            // else reads the queue: the page is all there.
            while (connection.Events.TryRead(out var frame))
            {
                if (TryConvert(frame, out var e)) events.Add(e);
            }

            if (!synced.More) return events;
            after = synced.LastSeq;
        }
    }

    /// <summary>
    /// Live events until the connection ends: then an <see cref="OcConnectionException"/> (or the
    /// enumeration simply ends, after a close by this side).
    /// </summary>
    public async IAsyncEnumerable<OcEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await connection.Events.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (connection.Events.TryRead(out var frame))
            {
                if (TryConvert(frame, out var e)) yield return e;
            }
        }
    }

    /// <summary>An event frame as a typed event; false for a message already seen and for event types this client does not know.</summary>
    public bool TryConvert(ReceivedFrame frame, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OcEvent? e)
    {
        ArgumentNullException.ThrowIfNull(frame);
        e = null;
        switch (frame.Type)
        {
            case FrameType.Message:
                if (!ChatMessage.TryRead(frame.Payload, out var message)) throw OcAccounts.Malformed(frame);
                if (message.Seq <= Cursor) return false;
                Interlocked.Exchange(ref _cursor, message.Seq);
                e = new MessageEvent(message);
                return true;
            case FrameType.RoomMessage:
                // One cursor for 1:1 and rooms: the seqs are of one counter (docs/protocol.md, "Room messages").
                if (!RoomMessage.TryRead(frame.Payload, out var roomMessage)) throw OcAccounts.Malformed(frame);
                if (roomMessage.Seq <= Cursor) return false;
                Interlocked.Exchange(ref _cursor, roomMessage.Seq);
                e = new RoomMessageEvent(roomMessage);
                return true;
            case FrameType.Delivered:
                if (!SeqNumber.TryRead(frame.Payload, out ulong seq)) throw OcAccounts.Malformed(frame);
                e = new DeliveredEvent(seq);
                return true;
            case FrameType.Presence:
                if (!PresenceEvent.TryRead(frame.Payload, out var presence)) throw OcAccounts.Malformed(frame);
                e = new PresenceChangedEvent(presence.OcNumber, presence.Online);
                return true;
            case FrameType.FriendAdded:
                if (!UserCard.TryRead(frame.Payload, out var card)) throw OcAccounts.Malformed(frame);
                e = new FriendAddedEvent(card);
                return true;
            case FrameType.FriendRequest:
                if (!FriendRequestEntry.TryRead(frame.Payload, out var request)) throw OcAccounts.Malformed(frame);
                e = new FriendRequestEvent(request);
                return true;
            case FrameType.FriendRemoved:
                if (!UserNumber.TryRead(frame.Payload, out uint number)) throw OcAccounts.Malformed(frame);
                e = new FriendRemovedEvent(number);
                return true;
            case FrameType.RoomEvent:
                if (!RoomEvent.TryRead(frame.Payload, out var change)) throw OcAccounts.Malformed(frame);
                e = new RoomChangedEvent(change);
                return true;
            case FrameType.RoomInvitation:
                if (!RoomInvitation.TryRead(frame.Payload, out var invitation)) throw OcAccounts.Malformed(frame);
                e = new RoomInvitationEvent(invitation);
                return true;
            case FrameType.FileReceived:
                if (!FileEntry.TryRead(frame.Payload, out var file)) throw OcAccounts.Malformed(frame);
                lock (_filesSeen)
                {
                    if (!_filesSeen.Add(file.FileId)) return false;
                }
                e = new FileReceivedEvent(file);
                return true;
            default:
                // A newer appliance may push events this client does not know: not an error.
                return false;
        }
    }
}
