using OC.Appliance.Accounts;
using OC.Appliance.Backup;
using OC.Appliance.Chat;
using OC.Appliance.Files;
using OC.Appliance.Friends;
using OC.Appliance.Limits;
using OC.Appliance.Rooms;
using OC.Appliance.Sessions;
using OC.Appliance.Storage;
using OC.Appliance.Storage.Files;
using OC.Appliance.Storage.Messages;

namespace OC.Appliance.Protocol;

/// <summary>
/// The feature handlers, each with its own state and its own worker, wired to the shared session
/// pieces (presence, <see cref="SessionEvents"/>). This is where a new feature (rooms) plugs in.
/// </summary>
internal sealed class ApplianceFeatures
{
    public ApplianceFeatures(StorageWorker storage, MessageWorker messages, FileWorker files, RateLimitSettings rateLimits, TimeProvider time, FriendsMode friends = FriendsMode.Consent, RoomLimits? rooms = null)
    {
        var sessions = new SessionEvents();
        // Presence counts live sessions only: a one-shot command (log in, send, leave) is not "online".
        sessions.WentLive += Presence.SessionWentLive;
        var notices = new FileNotices(Presence);
        Limits = new RateLimits(rateLimits, time);
        Accounts = new AccountsHandler(storage, Presence, sessions, Limits, time);
        Friends = new FriendsHandler(storage, Presence, Limits, time, friends);
        Messages = new MessagesHandler(messages, Presence, sessions, Limits);
        var roomFileNotices = new RoomFileNotices(storage, Presence, sessions);
        Uploads = new UploadsHandler(files, storage, Presence, sessions, notices, roomFileNotices, Limits);
        Downloads = new DownloadsHandler(files, storage, sessions, Presence);
        RoomMessages = new RoomMessagesHandler(messages, storage, Presence, Limits);
        // A room file, once complete, is an entry of the room's stream (kind File): members offline now see it at their next SYNC.
        // A deleted account left its rooms in the database: their streams get the Left entries.
        sessions.AccountDeleted += _ => RoomMessages.Reconcile();
        sessions.RoomFileSealed += f => RoomMessages.Append(global::OC.Protocol.Messages.RoomMessageKind.File, f.RoomId, f.From, 0, f.Name, fileId: f.FileId);
        Rooms = new RoomsHandler(storage, Presence, Limits, time, rooms ?? RoomLimits.Default, RoomMessages);
        Snapshots = new SnapshotHandler(storage, messages);
    }

    /// <summary>Who is online with which sessions: shared by every feature that pushes events.</summary>
    public PresenceRegistry Presence { get; } = new();

    /// <summary>The rate limits every handler asks before it works, and the router for each new connection.</summary>
    public RateLimits Limits { get; }

    public AccountsHandler Accounts { get; }
    public FriendsHandler Friends { get; }
    public MessagesHandler Messages { get; }
    public UploadsHandler Uploads { get; }
    public DownloadsHandler Downloads { get; }
    public RoomsHandler Rooms { get; }
    public RoomMessagesHandler RoomMessages { get; }

    /// <summary>ADMIN_SNAPSHOT of the admin socket: the snapshot points of an online backup.</summary>
    public SnapshotHandler Snapshots { get; }
}
