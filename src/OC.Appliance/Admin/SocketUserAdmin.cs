using OC.Appliance.Storage;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Appliance.Admin;

/// <summary>The running appliance, through its admin socket: its loop and its storage worker do the work.</summary>
internal sealed class SocketUserAdmin(OcConnection connection) : IUserAdmin
{
    public string Where => "the running appliance";

    public async Task<List<AccountSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var users = await OcAdmin.ListUsersAsync(connection, cancellationToken).ConfigureAwait(false);
        return users.Select(u => new AccountSummary(
            (int)u.OcNumber, u.Nick, u.Email, DateTimeOffset.FromUnixTimeMilliseconds(u.CreatedUnixMs).UtcDateTime, u.Sessions,
            u.LastUsedUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(u.LastUsedUnixMs).UtcDateTime)).ToList();
    }

    public async Task<bool> SetPasswordAsync(int number, PasswordVerifier verifier, CancellationToken cancellationToken)
    {
        try
        {
            await OcAdmin.SetPasswordAsync(connection, (uint)number, verifier, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
        {
            return false;
        }
    }

    public async Task<bool> DeleteAsync(int number, CancellationToken cancellationToken)
    {
        try
        {
            await OcAdmin.DeleteUserAsync(connection, (uint)number, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OcErrorException e) when (e.Code == ErrorCode.UnknownUser)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
