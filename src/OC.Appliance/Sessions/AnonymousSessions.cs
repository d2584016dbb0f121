using System.Net;

namespace OC.Appliance.Sessions;

/// <summary>
/// Connections that are not logged in, in all and per address: what a stranger on the LAN can
/// hold open. Above either cap a new connection is refused at once (issue 11: nothing an
/// unauthenticated peer sends may cost more than a small, bounded amount). Loop thread only.
/// </summary>
internal sealed class AnonymousSessions(int maxPerAddress, int maxTotal)
{
    private readonly Dictionary<IPAddress, int> _byAddress = [];

    public int Count { get; private set; }

    /// <summary>Connections refused at a cap since the start (status page).</summary>
    public long Refused { get; private set; }

    /// <summary>Counts a new anonymous connection from <paramref name="address"/>, or says why not.</summary>
    public bool TryAdmit(IPAddress? address, out string? refusal)
    {
        if (Count >= maxTotal)
        {
            Refused++;
            refusal = $"{maxTotal} connections are waiting to log in; try again later";
            return false;
        }
        if (address is not null && _byAddress.GetValueOrDefault(address) >= maxPerAddress)
        {
            Refused++;
            refusal = $"{maxPerAddress} connections from {address} are waiting to log in; try again later";
            return false;
        }
        Add(address);
        refusal = null;
        return true;
    }

    /// <summary>A session became anonymous again (logout): counted, never refused.</summary>
    public void Add(IPAddress? address)
    {
        Count++;
        if (address is not null) _byAddress[address] = _byAddress.GetValueOrDefault(address) + 1;
    }

    /// <summary>A session logged in or its anonymous connection closed.</summary>
    public void Remove(IPAddress? address)
    {
        Count--;
        if (address is null || !_byAddress.TryGetValue(address, out int n)) return;
        if (n <= 1) _byAddress.Remove(address);
        else _byAddress[address] = n - 1;
    }
}
