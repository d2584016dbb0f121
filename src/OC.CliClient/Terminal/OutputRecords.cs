using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OC.CliClient.Terminal;

// What each command prints with --json. The names are part of the CLI's contract with scripts:
// add fields, never rename or remove one.

/// <summary><c>oc register --json</c>.</summary>
internal sealed record RegisteredOutput(uint OcNumber, string Nick, string Email, string Server);

/// <summary><c>oc login --json</c>; <c>FriendRequests</c>: how many users wait for your answer (oc friends requests).</summary>
internal sealed record LoggedInOutput(uint OcNumber, string Nick, string Server, int FriendRequests = 0);

/// <summary><c>oc logout --json</c>. <c>SessionWasValid</c> is false when the appliance had already ended the session; <c>Everywhere</c>: --all.</summary>
internal sealed record LoggedOutOutput(uint OcNumber, string Server, bool SessionWasValid, bool Everywhere = false);

/// <summary>One session in <c>oc sessions</c>: <c>Id</c> is what <c>oc sessions revoke</c> takes; times ISO 8601 in UTC.</summary>
internal sealed record SessionOutput(string Id, string Device, string Address, DateTimeOffset Created, DateTimeOffset LastUsed, bool Current, bool Connected);

/// <summary><c>oc sessions --json</c>.</summary>
internal sealed record SessionsOutput(IReadOnlyList<SessionOutput> Sessions);

/// <summary><c>oc sessions revoke --json</c>: <c>WasCurrent</c> when it was this session (then you are logged out).</summary>
internal sealed record SessionRevokedOutput(string Id, bool WasCurrent);

/// <summary><c>oc passwd --json</c>: the password changed; every other session ended, this one stays.</summary>
internal sealed record PasswordChangedOutput(uint OcNumber, string Server);

/// <summary><c>oc whoami --json</c>; <c>Created</c> is ISO 8601 in UTC.</summary>
internal sealed record WhoAmIOutput(uint OcNumber, string Nick, string Email, string Server, DateTimeOffset Created);

/// <summary>One user in <c>oc find</c>, <c>oc friends</c> and <c>oc online</c>.</summary>
internal sealed record UserOutput(uint OcNumber, string Nick, bool Online, bool Friend);

/// <summary><c>oc friends --json</c>.</summary>
internal sealed record FriendsOutput(IReadOnlyList<UserOutput> Friends);

/// <summary><c>oc online --json</c>.</summary>
internal sealed record OnlineOutput(IReadOnlyList<UserOutput> Online);

/// <summary>
/// <c>oc friends add|remove|accept|decline --json</c>: the friendship as it now stands, and whether
/// a request of yours waits for them to accept (after <c>add</c> without their request before it).
/// </summary>
internal sealed record FriendChangeOutput(uint OcNumber, bool Friend, string Nick = "", bool RequestWaiting = false);

/// <summary>One request in <c>oc friends requests</c>: <c>Direction</c> is "incoming" (they asked you) or "outgoing" (you asked them).</summary>
internal sealed record FriendRequestOutput(uint OcNumber, string Nick, DateTimeOffset Time, string Direction);

/// <summary><c>oc friends requests --json</c>: the incoming ones first, each group oldest first.</summary>
internal sealed record FriendRequestsOutput(IReadOnlyList<FriendRequestOutput> Requests);

/// <summary><c>oc block|unblock --json</c>: whether you block them now.</summary>
internal sealed record BlockOutput(uint OcNumber, bool Blocked);

/// <summary>One user in <c>oc blocked</c>; <c>Since</c> is when you blocked them.</summary>
internal sealed record BlockedUserOutput(uint OcNumber, string Nick, DateTimeOffset Since);

/// <summary><c>oc blocked --json</c>.</summary>
internal sealed record BlockedOutput(IReadOnlyList<BlockedUserOutput> Blocked);

/// <summary>
/// One appliance in <c>oc servers</c>: <c>Server</c> is what --server takes; <c>Version</c>, <c>Id</c>,
/// <c>HttpPort</c>, <c>Fingerprint</c> come from its TXT record (null when missing). <c>Trust</c>:
/// <c>yes</c> (the fingerprint it announces is the one trusted), <c>no</c> (not trusted yet),
/// <c>changed</c> (it announces another fingerprint than the one trusted), <c>known</c> (trusted,
/// but it announces no fingerprint to compare); <c>TrustedFingerprint</c> is the one trusted.
/// </summary>
internal sealed record ServerOutput(
    string Name, string Server, string Address, int Port, string Host, int? Version, string? Id, int? HttpPort,
    string? Fingerprint, string Trust, string? TrustedFingerprint);

/// <summary>An appliance whose certificate oc trusts (<c>oc servers</c>, <c>oc servers forget</c>).</summary>
internal sealed record TrustedOutput(string? Id, string? Name, string Address, string Fingerprint, DateTimeOffset FirstSeen);

/// <summary><c>oc servers --json</c>: the appliances on the LAN, and every appliance trusted (on the LAN now or not).</summary>
internal sealed record ServersOutput(IReadOnlyList<ServerOutput> Servers, IReadOnlyList<TrustedOutput> Trusted);

/// <summary><c>oc servers forget --json</c>: the appliances no longer trusted.</summary>
internal sealed record ForgottenOutput(IReadOnlyList<TrustedOutput> Forgotten);

/// <summary><c>oc send --json</c>; <c>Time</c> is when the appliance stored the message, ISO 8601 in UTC.</summary>
internal sealed record SentOutput(ulong Seq, uint To, DateTimeOffset Time);

/// <summary><c>oc send '#ROOM' --json</c>: the room message's seq and when the appliance stored it.</summary>
internal sealed record RoomSentOutput(ulong Seq, uint Room, DateTimeOffset Time);

/// <summary>
/// One line of <c>oc history --room --json</c>: one entry of the room's stream. <c>Kind</c> is
/// "text", "joined", "left", "kicked", "owner", "file" (or the number of a kind oc does not know);
/// <c>From</c> and <c>Subject</c> as in docs/protocol.md ("Room messages"); <c>FileId</c> for a file.
/// </summary>
internal sealed record RoomEntryOutput(ulong Seq, DateTimeOffset Time, uint Room, string Kind, uint From, uint Subject, string Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FileId = null);

/// <summary>One line of <c>oc history --json</c>: one message.</summary>
internal sealed record MessageOutput(ulong Seq, DateTimeOffset Time, uint From, uint To, string Text);

// `oc listen --json`: one object per line, each with "type" first.

/// <summary><c>{"type":"message",...}</c>: a message received, or sent from another session of yours.</summary>
internal sealed record MessageEventOutput(ulong Seq, DateTimeOffset Time, uint From, uint To, string Text)
{
    [JsonPropertyOrder(-1)]
    public string Type => "message";
}

/// <summary><c>{"type":"delivered","seq":42}</c>: your message reached a session of its recipient.</summary>
internal sealed record DeliveredEventOutput(ulong Seq)
{
    [JsonPropertyOrder(-1)]
    public string Type => "delivered";
}

/// <summary><c>{"type":"presence",...}</c>: a friend came online or went offline.</summary>
internal sealed record PresenceEventOutput(uint OcNumber, string Nick, bool Online)
{
    [JsonPropertyOrder(-1)]
    public string Type => "presence";
}

/// <summary><c>{"type":"friendRequest",...}</c>: someone asks to be your friend (at the start: those waiting).</summary>
internal sealed record FriendRequestEventOutput(uint OcNumber, string Nick, DateTimeOffset Time)
{
    [JsonPropertyOrder(-1)]
    public string Type => "friendRequest";
}

/// <summary><c>{"type":"friendAdded",...}</c> and <c>{"type":"friendRemoved",...}</c>.</summary>
internal sealed record FriendEventOutput([property: JsonPropertyOrder(-1)] string Type, uint OcNumber, string Nick);

/// <summary><c>{"type":"progress",...}</c>: a line of <c>oc file send|get --json</c> while it runs.</summary>
internal sealed record TransferProgressOutput(string FileId, long Done, long Size, long BytesPerSecond)
{
    [JsonPropertyOrder(-1)]
    public string Type => "progress";
}

/// <summary>
/// One file in <c>oc file list</c>; the result of <c>oc file send|get</c> (<c>Path</c>: where get wrote it).
/// <c>Room</c>: the room a room file was sent to (then <c>To</c> is 0); 0 for a file to one friend.
/// </summary>
internal sealed record FileOutput(string FileId, uint From, uint To, uint Room, string Name, ulong Size, ulong Stored, string Sha256, DateTimeOffset Created, string State, string? Path = null)
{
    [JsonPropertyOrder(-1)]
    public string Type => "file";
}

/// <summary><c>oc file list --json</c>.</summary>
internal sealed record FilesOutput(IReadOnlyList<FileOutput> Files);

/// <summary>
/// One room in <c>oc rooms</c> and what <c>oc room create|join|accept</c> print: <c>Id</c> is what ROOM takes, <c>Owner</c> an OC number.
/// <c>Unread</c> (<c>oc rooms</c> only): messages and files of others above your cursor among the
/// room's newest 100 entries; <c>UnreadMore</c>: all 100 were, so there may be more.
/// </summary>
internal sealed record RoomOutput(uint Id, string Name, uint Owner, bool Open, int Members, bool Mine,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Unread = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? UnreadMore = null);

/// <summary><c>oc rooms --json</c>.</summary>
internal sealed record RoomsOutput(IReadOnlyList<RoomOutput> Rooms);

/// <summary>
/// <c>oc room invite|decline|leave|kick|owner --json</c>: the room and what was done
/// ("invited", "declined", "left", "kicked", "owner"), with the user it was done to, if any.
/// </summary>
internal sealed record RoomChangeOutput(uint Room, string Action, uint OcNumber = 0);

/// <summary>One member in <c>oc room members</c>.</summary>
internal sealed record RoomMemberOutput(uint OcNumber, string Nick, bool Online, bool Owner);

/// <summary><c>oc room members --json</c>.</summary>
internal sealed record RoomMembersOutput(uint Room, IReadOnlyList<RoomMemberOutput> Members);

/// <summary>One invitation in <c>oc room invites</c>.</summary>
internal sealed record RoomInvitationOutput(uint Room, string RoomName, uint From, string FromNick, DateTimeOffset Time);

/// <summary><c>oc room invites --json</c>, oldest first.</summary>
internal sealed record RoomInvitationsOutput(IReadOnlyList<RoomInvitationOutput> Invitations);

/// <summary>
/// <c>{"type":"room",...}</c> in <c>oc listen --json</c>: <c>Event</c> is "joined", "left", "kicked" or "owner";
/// <c>OcNumber</c> whom it is about, <c>By</c> who did it (who invited, for a join by invitation);
/// <c>Seq</c> and <c>Time</c> of the room's stream entry that says so.
/// </summary>
internal sealed record RoomEventOutput(uint Room, string RoomName, string Event, uint OcNumber, string Nick, uint By, ulong Seq, DateTimeOffset Time)
{
    [JsonPropertyOrder(-1)]
    public string Type => "room";
}

/// <summary>
/// <c>{"type":"roomMessage",...}</c> in <c>oc listen --json</c>: a member's message to a room of yours
/// (or yours, from elsewhere); <c>Mention</c> says whether it mentions you (@nick or @NUMBER).
/// </summary>
internal sealed record RoomMessageEventOutput(ulong Seq, DateTimeOffset Time, uint Room, string RoomName, uint From, string FromNick, string Text, bool Mention)
{
    [JsonPropertyOrder(-1)]
    public string Type => "roomMessage";
}

/// <summary><c>{"type":"roomFile",...}</c>: a member sent a file to a room of yours.</summary>
internal sealed record RoomFileEventOutput(ulong Seq, DateTimeOffset Time, uint Room, string RoomName, uint From, string FromNick, string FileId, string Name)
{
    [JsonPropertyOrder(-1)]
    public string Type => "roomFile";
}

/// <summary><c>{"type":"roomEntry",...}</c>: an entry of a kind this oc does not know, with its raw fields.</summary>
internal sealed record RoomUnknownEventOutput(ulong Seq, DateTimeOffset Time, uint Room, string RoomName, int Kind, uint From, uint Subject, string Text)
{
    [JsonPropertyOrder(-1)]
    public string Type => "roomEntry";
}

/// <summary><c>{"type":"roomInvitation",...}</c>: a friend invites you to a room.</summary>
internal sealed record RoomInvitationEventOutput(uint Room, string RoomName, uint From, string FromNick, DateTimeOffset Time)
{
    [JsonPropertyOrder(-1)]
    public string Type => "roomInvitation";
}

/// <summary>Serializers for the records above, generated at compile time (reflection JSON is not AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RegisteredOutput))]
[JsonSerializable(typeof(LoggedInOutput))]
[JsonSerializable(typeof(LoggedOutOutput))]
[JsonSerializable(typeof(WhoAmIOutput))]
[JsonSerializable(typeof(SessionsOutput))]
[JsonSerializable(typeof(SessionRevokedOutput))]
[JsonSerializable(typeof(PasswordChangedOutput))]
[JsonSerializable(typeof(UserOutput))]
[JsonSerializable(typeof(FriendsOutput))]
[JsonSerializable(typeof(OnlineOutput))]
[JsonSerializable(typeof(FriendChangeOutput))]
[JsonSerializable(typeof(FriendRequestsOutput))]
[JsonSerializable(typeof(FriendRequestEventOutput))]
[JsonSerializable(typeof(BlockOutput))]
[JsonSerializable(typeof(BlockedOutput))]
[JsonSerializable(typeof(ServersOutput))]
[JsonSerializable(typeof(ForgottenOutput))]
[JsonSerializable(typeof(SentOutput))]
[JsonSerializable(typeof(MessageOutput))]
[JsonSerializable(typeof(RoomSentOutput))]
[JsonSerializable(typeof(RoomEntryOutput))]
[JsonSerializable(typeof(RoomMessageEventOutput))]
[JsonSerializable(typeof(RoomFileEventOutput))]
[JsonSerializable(typeof(RoomUnknownEventOutput))]
[JsonSerializable(typeof(MessageEventOutput))]
[JsonSerializable(typeof(DeliveredEventOutput))]
[JsonSerializable(typeof(PresenceEventOutput))]
[JsonSerializable(typeof(FriendEventOutput))]
[JsonSerializable(typeof(TransferProgressOutput))]
[JsonSerializable(typeof(FileOutput))]
[JsonSerializable(typeof(FilesOutput))]
[JsonSerializable(typeof(RoomOutput))]
[JsonSerializable(typeof(RoomEventOutput))]
[JsonSerializable(typeof(RoomInvitationEventOutput))]
[JsonSerializable(typeof(RoomsOutput))]
[JsonSerializable(typeof(RoomChangeOutput))]
[JsonSerializable(typeof(RoomMembersOutput))]
[JsonSerializable(typeof(RoomInvitationsOutput))]
internal sealed partial class OutputJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Like <see cref="JsonSerializerContext"/>'s default but with text as it is: "你好" rather than
    /// "\u4F60\u597D". Output goes to a terminal or a script, never into HTML, so the HTML-safe
    /// escaping of the default encoder only makes it unreadable. Control characters stay escaped.
    /// </summary>
    public static OutputJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>One value as one line of JSON, in the readable form.</summary>
    public static string Serialize<T>(T value, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Readable.GetTypeInfo(type.Type)!);
    }
}
