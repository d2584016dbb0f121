namespace OC.Appliance.Limits;

/// <summary>
/// What a rate limit counts (docs/protocol.md, "Rate limits"). The first five are counted per user
/// (OC number), the last three per client address: before a login there is no user to count.
/// </summary>
internal enum RateKind
{
    Message,
    FileOffer,
    FriendRequest,
    History,
    Find,
    Register,
    Login,
    Connection,
}

internal static class RateKinds
{
    public const int Count = 8;

    public static readonly RateKind[] All =
    [
        RateKind.Message, RateKind.FileOffer, RateKind.FriendRequest, RateKind.History, RateKind.Find,
        RateKind.Register, RateKind.Login, RateKind.Connection,
    ];

    /// <summary>Counted per client address (no user yet), not per OC number.</summary>
    public static bool PerAddress(this RateKind kind) => kind >= RateKind.Register;

    /// <summary>The label of <c>oc_rate_limited_total{kind=...}</c> and of /api/status.</summary>
    public static string Name(this RateKind kind) => kind switch
    {
        RateKind.Message => "message",
        RateKind.FileOffer => "file_offer",
        RateKind.FriendRequest => "friend_request",
        RateKind.History => "history",
        RateKind.Find => "find",
        RateKind.Register => "register",
        RateKind.Login => "login",
        _ => "connection",
    };

    /// <summary>What the error message counts: "too many messages".</summary>
    public static string Plural(this RateKind kind) => kind switch
    {
        RateKind.Message => "messages",
        RateKind.FileOffer => "file offers",
        RateKind.FriendRequest => "friend requests",
        RateKind.History => "history requests",
        RateKind.Find => "look-ups",
        RateKind.Register => "registrations",
        RateKind.Login => "logins",
        _ => "new connections",
    };

    /// <summary>The command-line option that sets it.</summary>
    public static string Option(this RateKind kind) => kind switch
    {
        RateKind.Message => "--rate-messages",
        RateKind.FileOffer => "--rate-file-offers",
        RateKind.FriendRequest => "--rate-friend-requests",
        RateKind.History => "--rate-history",
        RateKind.Find => "--rate-find",
        RateKind.Register => "--rate-registrations",
        RateKind.Login => "--rate-logins",
        _ => "--rate-connections",
    };
}
