namespace OC.CliClient;

/// <summary>The exit codes of `oc`, as its --help documents them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The appliance refused, the network failed, its certificate is not the trusted one, or a local file could not be read or written.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the typed input is wrong, or an appliance is not trusted yet and there is no terminal to ask: nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
