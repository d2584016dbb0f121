using System.Diagnostics;

namespace OC.Tests.Support;

/// <summary>
/// The one place where tests poll: for a condition that nothing signals (a daemon outside the
/// test seeing a record, the appliance noticing that a client closed its socket, wall-clock time
/// passing a TTL). Everything else waits on a signal: an event frame, a reply, a task, a line of
/// a process's output. Every caller says in a comment why no signal exists.
/// The deadline is one that only a hang misses, never a measure of speed.
/// </summary>
internal static class Eventually
{
    /// <summary>How long a hang may take to be reported: far beyond anything a slow machine needs.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="waitingFor"/> (and <paramref name="seen"/>, if given) after <paramref name="timeout"/>.</summary>
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string waitingFor, Func<string>? seen = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, waitingFor, seen);

    /// <summary>As above, for a condition that has to ask over the network (the status page, a FILE_LIST).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string waitingFor, Func<string>? seen = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting for {waitingFor}" + (seen is null ? "" : "; seen:\n" + seen()));
            }
            // The only fixed wait in the tests: the pause between two looks at a condition nothing signals.
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Waits until <paramref name="read"/> returns a value that <paramref name="condition"/> accepts, and returns it.</summary>
    public static async Task<T> MatchesAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string waitingFor)
    {
        T last = default!;
        await TrueAsync(async () => condition(last = await read()), timeout, waitingFor, () => last?.ToString() ?? "nothing");
        return last;
    }
}
