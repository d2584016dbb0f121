using System.Globalization;
using OC.Protocol.Client;
using OC.Protocol.Framing;

namespace OC.CliClient.Commands;

/// <summary>
/// The one place where <c>oc</c> waits out the appliance's rate limits (docs/protocol.md, "Rate
/// limits"): a request answered RATE_LIMITED, or a connection refused with TOO_MANY_CONNECTIONS and
/// a retry-after, is tried again after the wait the appliance named. It says so on stderr once per
/// process, and gives up when one request would have waited more than <see cref="MaxWait"/> in all.
/// A refused request did nothing on the appliance, so sending it again is always safe (a SEND
/// keeps its message id). Every <see cref="ApplianceLink"/> call goes through here.
/// </summary>
internal sealed class RateLimitWaits(Action<string> say)
{
    /// <summary>Longer than any default limit makes a single request wait; a minute is long for a person at a prompt.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    private int _said;

    /// <summary>Where the note goes (stderr; <c>oc chat</c> puts it on its own screen instead).</summary>
    public Action<string> Say { get; set; } = say;

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (RetryAfter(e) is { } wait && !cancellationToken.IsCancellationRequested)
            {
                if (waited + wait > MaxWait)
                {
                    throw new CliException(string.Create(CultureInfo.InvariantCulture,
                        $"rate limited by the appliance ({Reason(e)}); oc waits at most {MaxWait.TotalSeconds:0} s, try again later"), e);
                }
                if (Interlocked.Exchange(ref _said, 1) == 0)
                {
                    Say(string.Create(CultureInfo.InvariantCulture, $"rate limited by the appliance; retrying in {wait.TotalSeconds:0} s"));
                }
                waited += wait;
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long the appliance asked to wait, or null when <paramref name="e"/> is not a rate limit.</summary>
    internal static TimeSpan? RetryAfter(Exception e) => e switch
    {
        OcErrorException { Code: ErrorCode.RateLimited } limited => Seconds(limited.RetryAfterSeconds),
        // A new connection over its address's rate: refused at once, with the wait (a full table of
        // strangers says 0 and is not waited for: it is no rate).
        OcConnectionException { InnerException: OcErrorException { Code: ErrorCode.TooManyConnections, RetryAfterSeconds: > 0 } refused } =>
            Seconds(refused.RetryAfterSeconds),
        _ => null,
    };

    private static TimeSpan Seconds(uint seconds) => TimeSpan.FromSeconds(Math.Max(1u, seconds));

    private static string Reason(Exception e) => e is OcConnectionException { InnerException: { } inner } ? inner.Message : e.Message;
}
