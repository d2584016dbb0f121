namespace OC.CliClient;

/// <summary>A failure with a message meant for the user as it stands (one line after "oc: ").</summary>
internal sealed class CliException : Exception
{
    public CliException() : this("failed") { }

    public CliException(string message) : this(message, ExitCodes.Failure) { }

    public CliException(string message, Exception inner) : base(message, inner) => ExitCode = ExitCodes.Failure;

    public CliException(string message, int exitCode) : base(message) => ExitCode = exitCode;

    public int ExitCode { get; }

    /// <summary>The command line or the typed input is wrong (exit code 2).</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
