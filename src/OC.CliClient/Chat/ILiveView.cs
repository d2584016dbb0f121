using OC.Protocol.Client;

namespace OC.CliClient.Chat;

/// <summary>
/// What a live command (<c>oc listen</c>, <c>oc chat</c>) shows. <see cref="LiveSession"/> calls
/// these from its loop, one at a time, in this order for each connection: <see cref="Connected"/>,
/// <see cref="Show"/> for what came while away, <see cref="Live"/>, then <see cref="Show"/> for
/// each live event until <see cref="Lost"/>.
/// </summary>
internal interface ILiveView
{
    /// <param name="again">True after a lost connection, false the first time.</param>
    void Connected(bool again);

    /// <summary>Offline messages and missed changes have been shown; from now on events come as they happen.</summary>
    void Live(bool again);

    /// <summary>
    /// A message (received, or sent from another session of this user), a delivery receipt, a
    /// presence change, a friend added or removed. Nicknames are known by now: <see cref="LiveSession.Nick"/>.
    /// </summary>
    void Show(OcEvent e);

    /// <summary>The connection broke; the session is reconnecting.</summary>
    void Lost(string reason);
}
