using OC.Appliance.Storage;
using OC.Protocol.Messages;

namespace OC.Appliance.Admin;

/// <summary>
/// What <c>oc-appliance user</c> does, wherever the accounts are: through the running appliance's
/// admin socket (<see cref="SocketUserAdmin"/>), or, with no appliance running, in the database
/// itself through a storage worker of its own (<see cref="DirectUserAdmin"/>).
/// </summary>
internal interface IUserAdmin : IAsyncDisposable
{
    /// <summary>"the running appliance" or "the data folder (no appliance is running)": said on stderr.</summary>
    string Where { get; }

    Task<List<AccountSummary>> ListAsync(CancellationToken cancellationToken);

    /// <summary>False when no account has that number. Every session of the account ends.</summary>
    Task<bool> SetPasswordAsync(int number, PasswordVerifier verifier, CancellationToken cancellationToken);

    /// <summary>False when no account has that number.</summary>
    Task<bool> DeleteAsync(int number, CancellationToken cancellationToken);
}
