namespace OC.CliClient.Terminal;

/// <summary>
/// Everything `oc` takes from its surroundings: variables, the standard streams, whether stdin and
/// stdout are terminals, the home folder. <see cref="FromProcess"/> is the real one; tests build their own.
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
    public static CliEnvironment FromProcess() => new(
        Environment.GetEnvironmentVariable,
        () => Console.In, // Only when needed: on a terminal, Console.In switches the keypad mode.
        Console.Out,
        Console.Error,
        !Console.IsInputRedirected,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify),
        !Console.IsOutputRedirected);
}
