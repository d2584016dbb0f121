namespace OC.Appliance.Http;

/// <summary>What the HTTP server has done, for /metrics. Loop thread only.</summary>
internal sealed class HttpCounters
{
    private readonly SortedDictionary<int, long> _requestsByStatus = [];

    /// <summary>Open HTTP connections.</summary>
    public int Connections { get; set; }

    public long Accepted { get; set; }

    /// <summary>Connections closed at once because <see cref="HttpLimits.MaxConnections"/> were open.</summary>
    public long Refused { get; set; }

    /// <summary>Connections closed because a request or a response did not complete in time.</summary>
    public long TimedOut { get; set; }

    public long Requests { get; private set; }

    /// <summary>Responses by status code, in code order.</summary>
    public IReadOnlyDictionary<int, long> RequestsByStatus => _requestsByStatus;

    public void CountResponse(int status)
    {
        Requests++;
        _requestsByStatus[status] = _requestsByStatus.GetValueOrDefault(status) + 1;
    }
}
