namespace OC.Appliance.Friends;

/// <summary>How FRIEND_ADD makes friends (--friends).</summary>
internal enum FriendsMode
{
    /// <summary>The default: FRIEND_ADD asks, and the other user accepts or declines.</summary>
    Consent,

    /// <summary>As the original OC, for trusted labs: FRIEND_ADD makes both friends at once.</summary>
    Open,
}
