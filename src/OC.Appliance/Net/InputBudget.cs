namespace OC.Appliance.Net;

/// <summary>
/// The memory all connections of a service may hold for partial frames beyond what each may hold
/// on its own (<see cref="ConnectionLimits.PrivateInputBytes"/>): one number for the appliance,
/// so many clients that each start a large frame and stall cannot add up to more than this. A
/// connection that needs more than is left stops being read (back-pressure: the kernel buffers,
/// then TCP pushes back on its client) until another connection's partial frame completes or
/// closes. Loop thread only.
/// </summary>
internal sealed class InputBudget(long total)
{
    private readonly List<Connection> _waiting = [];

    public long Total { get; } = total;

    /// <summary>Bytes of partial frames held beyond the connections' own allowances.</summary>
    public long Used { get; private set; }

    public long Available => Total - Used;

    /// <summary>Times a connection stopped being read because the budget was spent.</summary>
    public long Waits { get; private set; }

    /// <summary>A connection's share moved by <paramref name="delta"/> bytes; a release lets the waiting read again.</summary>
    public void Charge(long delta)
    {
        Used += delta;
        if (delta >= 0 || _waiting.Count == 0) return;
        // Every waiter tries again (level-triggered polling brings each back); one that still
        // finds no room waits again. Cheap: only connections mid-way through a large frame wait.
        var waiting = _waiting.ToArray();
        _waiting.Clear();
        foreach (var connection in waiting) connection.ResumeForBudget();
    }

    public void Wait(Connection connection)
    {
        Waits++;
        _waiting.Add(connection);
    }

    public void Forget(Connection connection) => _waiting.Remove(connection);

    /// <summary>A waiting connection is not read, so its peer's leaving is looked for here (the idle sweep, once a second).</summary>
    public void CheckWaiting()
    {
        if (_waiting.Count == 0) return;
        foreach (var connection in _waiting.ToArray()) connection.CheckWhileWaiting();
    }
}
