using OC.CliClient;
using OC.CliClient.Commands;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Tests.Cli;

/// <summary>What oc waits for: the appliance's rate limits, and nothing else (the waiting itself runs against the real appliance in CliRateLimitTests).</summary>
public sealed class RateLimitWaitsTests
{
    private static OcErrorException Error(ErrorCode code, uint retryAfter) => new(new ErrorReply(code, retryAfter, "told so"));

    [Fact]
    public void A_rate_limit_is_waited_for_as_long_as_the_appliance_asks_and_at_least_a_second()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), RateLimitWaits.RetryAfter(Error(ErrorCode.RateLimited, 3)));
        Assert.Equal(TimeSpan.FromSeconds(1), RateLimitWaits.RetryAfter(Error(ErrorCode.RateLimited, 0)));
        // A connection refused for its address's rate: the error comes inside the connection's failure.
        Assert.Equal(TimeSpan.FromSeconds(2), RateLimitWaits.RetryAfter(new OcConnectionException("closed", Error(ErrorCode.TooManyConnections, 2))));
    }

    [Fact]
    public void Other_refusals_are_not_waited_for()
    {
        Assert.Null(RateLimitWaits.RetryAfter(Error(ErrorCode.Throttled, 8))); // failed logins: the user must know
        Assert.Null(RateLimitWaits.RetryAfter(Error(ErrorCode.NotFriends, 0)));
        // Too many strangers waiting to log in is no rate: it says no wait.
        Assert.Null(RateLimitWaits.RetryAfter(new OcConnectionException("closed", Error(ErrorCode.TooManyConnections, 0))));
        Assert.Null(RateLimitWaits.RetryAfter(new OcConnectionException("the appliance closed the connection")));
    }

    [Fact]
    public async Task A_wait_beyond_a_minute_is_not_waited_but_reported_in_one_line()
    {
        var said = new List<string>();
        var waits = new RateLimitWaits(said.Add);
        int attempts = 0;
        var e = await Assert.ThrowsAsync<CliException>(() => waits.RunAsync<int>(_ =>
        {
            attempts++;
            throw Error(ErrorCode.RateLimited, 3600);
        }, CancellationToken.None));

        Assert.Equal(1, attempts);
        Assert.Empty(said);
        Assert.Equal("rate limited by the appliance (told so); oc waits at most 60 s, try again later", e.Message);
    }
}
