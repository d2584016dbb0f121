using OC.CliClient.Discovery;

namespace OC.CliClient.Terminal;

/// <summary>
/// Everything `oc` takes from its surroundings: variables, the standard streams, whether stdin and
/// stdout are terminals, the home folder, the LAN (for discovery). <see cref="FromProcess"/> is the real one; tests build their own.
/// </summary>
internal sealed record CliEnvironment(
    Func<string, string?> GetVariable,
    Func<TextReader> OpenIn,
    TextWriter Out,
    TextWriter Error,
    bool InputIsTerminal,
    string HomeFolder,
    bool OutputIsTerminal = false)
{
    /// <summary>Looks for appliances on the LAN for the given time (mDNS); tests put a stand-in here.</summary>
    public Func<TimeSpan, CancellationToken, Task<IReadOnlyList<DiscoveredAppliance>>> Discover { get; init; } = LanBrowser.BrowseAsync;

    /// <summary>
    /// Whether stdout may carry text styles (the highlight of a mention): a terminal, no
    /// <c>NO_COLOR</c> (https://no-color.org: set and not empty) and a <c>TERM</c> other than dumb.
    /// </summary>
    public bool Styles => OutputIsTerminal && string.IsNullOrEmpty(GetVariable("NO_COLOR")) && GetVariable("TERM") != "dumb";

    public static CliEnvironment FromProcess() => new(
        Environment.GetEnvironmentVariable,
        () => Console.In, // Only when needed: on a terminal, Console.In switches the keypad mode.
        Console.Out,
        Console.Error,
        !Console.IsInputRedirected,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify),
        !Console.IsOutputRedirected);
}
