using OC.Protocol.Messages;

namespace OC.Protocol.Client;

/// <summary>An event pushed by the appliance (request id 0), typed. <see cref="OcMessageStream"/> makes these.</summary>
public abstract record OcEvent;

/// <summary>MESSAGE: a message of yours, received or sent from another session.</summary>
public sealed record MessageEvent(ChatMessage Message) : OcEvent;

/// <summary>ROOM_MESSAGE: an entry of a room's stream (a member's message, or a membership change), live or from SYNC.</summary>
public sealed record RoomMessageEvent(RoomMessage Message) : OcEvent;

/// <summary>DELIVERED: your message <c>Seq</c> reached a session of its recipient.</summary>
public sealed record DeliveredEvent(ulong Seq) : OcEvent;

/// <summary>PRESENCE: a friend's first live session (one that SYNCed: oc listen, oc chat) began, or their last one ended.</summary>
public sealed record PresenceChangedEvent(uint OcNumber, bool Online) : OcEvent;

/// <summary>FRIEND_REQUEST: someone asks to be your friend (accept or decline with FRIEND_RESPOND).</summary>
public sealed record FriendRequestEvent(FriendRequestEntry Request) : OcEvent;

/// <summary>FRIEND_ADDED: someone made you their friend (or you did, from another session).</summary>
public sealed record FriendAddedEvent(UserCard Friend) : OcEvent;

/// <summary>FRIEND_REMOVED: a friendship ended (from either side, from another session).</summary>
public sealed record FriendRemovedEvent(uint OcNumber) : OcEvent;

/// <summary>ROOM_EVENT: someone joined or left a room of yours, was kicked (you, perhaps), or owns it now.</summary>
public sealed record RoomChangedEvent(RoomEvent Change) : OcEvent;

/// <summary>ROOM_INVITATION: a friend invites you to a room (accept or decline with ROOM_RESPOND).</summary>
public sealed record RoomInvitationEvent(RoomInvitation Invitation) : OcEvent;

/// <summary>FILE_RECEIVED: a friend's file to you is complete and can be downloaded (also at login, for files not yet fetched).</summary>
public sealed record FileReceivedEvent(FileEntry File) : OcEvent;
