using System.Net.Sockets;
using OC.Protocol.Client;
using OC.Protocol.Framing;
using OC.Protocol.Security;

namespace OC.CliClient.Terminal;

/// <summary>
/// Turns any exception that ends a command into one line for stderr and an exit code. This is
/// the only place that decides what a failure looks like; no stack trace ever reaches the user.
/// </summary>
internal static class ErrorReport
{
    public static (string Message, int ExitCode) Describe(Exception e) => e switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        OcErrorException error => (Describe(error), ExitCodes.Failure),
        OcConnectionException { InnerException: OcErrorException { Code: ErrorCode.SessionEnded } } ended =>
            ($"the appliance ended this session: {ended.Message}", ExitCodes.Failure),
        OcConnectionException connection => (connection.Message, ExitCodes.Failure),
        ScramException scram => ("login failed: " + scram.Message, ExitCodes.Failure),
        OperationCanceledException => ("cancelled", ExitCodes.Cancelled),
        ArgumentException { ParamName: "password" } password => ("the password is not acceptable: " + password.Message.Split(" (Parameter")[0], ExitCodes.Usage),
        SocketException socket => ("network error: " + socket.Message, ExitCodes.Failure),
        UnauthorizedAccessException or IOException => (e.Message, ExitCodes.Failure),
        _ => ($"internal error ({e.GetType().Name}): {e.Message}", ExitCodes.Failure),
    };

    /// <summary>ERROR replies without a context that knows better (see the commands for "no user has OC number N").</summary>
    public static string Describe(OcErrorException e) => e.Code switch
    {
        ErrorCode.AuthenticationFailed => "wrong password",
        ErrorCode.UnknownUser => "no user has that OC number",
        ErrorCode.Throttled => $"too many failed logins; try again in {Math.Max(1, e.RetryAfterSeconds)} s",
        ErrorCode.TooManyAttempts => "too many login attempts on one connection; the appliance closed it",
        ErrorCode.InvalidSession => "session expired; run oc login NUMBER",
        ErrorCode.NotAuthenticated => "not logged in; run oc login NUMBER",
        ErrorCode.SessionEnded => $"the appliance ended this session: {e.Message}",
        ErrorCode.FreshLoginRequired => $"the appliance wants a fresh login first: {e.Message}",
        ErrorCode.SessionNotFound => e.Message,
        ErrorCode.InvalidArgument or ErrorCode.AlreadyFriends or ErrorCode.NotFriends or ErrorCode.Blocked
            or ErrorCode.RequestPending or ErrorCode.NotRequested or ErrorCode.TooManyPendingRequests => e.Message,
        ErrorCode.RateLimited => $"rate limited by the appliance: {e.Message}",
        ErrorCode.StorageFailure => $"the appliance could not save the change ({e.Message}); nothing was stored, try again later",
        ErrorCode.UnknownFrameType => $"the appliance does not know this request (is it older than oc {CliVersion.Text}?)",
        ErrorCode.UnsupportedVersion => $"the appliance does not speak this version of the OC protocol ({e.Message})",
        _ => $"the appliance refused: {e.Message} ({e.Code})",
    };

    /// <summary>
    /// Keeps the promise of one line: whatever a message contains, it is printed on a single line,
    /// and made <see cref="MessageLines.Visible"/> first: an error's text can come from the network
    /// (an appliance's ERROR, a file name, a reason), so an escape sequence or a bidi override in it
    /// must not reach the terminal as itself.
    /// </summary>
    public static string OneLine(string message) =>
        string.Join(' ', MessageLines.Visible(message).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
