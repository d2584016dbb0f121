using System.CommandLine;
using OC.CliClient.Config;
using OC.Protocol.Security;

namespace OC.CliClient.Commands;

/// <summary>Options every command takes, before or after its name (<c>oc --json whoami</c> = <c>oc whoami --json</c>).</summary>
internal sealed class GlobalOptions
{
    public const int DefaultTimeoutSeconds = 5;

    public Option<string> Server { get; } = new("--server", "-s")
    {
        Description = $"Appliance to use, as {ServerAddress.Syntax}; the default port is {ServerAddress.DefaultPort}. "
            + $"Default: ${ServerChoice.Variable}, else the appliance used last, else the one found on the LAN",
        HelpName = "HOST[:PORT]",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the result as one JSON object on one line (errors still go to stderr as text)",
        Recursive = true,
    };

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds to wait for the connection and for each answer of the appliance (oc servers: to listen, default 1)",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
        Recursive = true,
    };

    public Option<string> Trust { get; } = new("--trust")
    {
        Description = "Trust the appliance if it presents this certificate fingerprint (as oc-appliance fingerprint prints it); "
            + "without a terminal, needed for the first connection to an appliance",
        HelpName = "FINGERPRINT",
        Recursive = true,
    };

    public Option<bool> TrustFirstUse { get; } = new("--trust-first-use")
    {
        Description = "Trust an appliance not known yet without asking or checking its fingerprint (for scripts that accept the risk)",
        Recursive = true,
    };

    public Option<bool> Insecure { get; } = new("--insecure")
    {
        Description = "Talk to an appliance started with --insecure-plaintext: no TLS, everything crosses the network in clear",
        Recursive = true,
    };

    public GlobalOptions()
    {
        Trust.Validators.Add(result =>
        {
            if (!Fingerprints.TryParse(result.GetValueOrDefault<string>(), out _))
            {
                result.AddError($"--trust: '{result.GetValueOrDefault<string>()}' is not a certificate fingerprint (SHA256:... as oc-appliance fingerprint prints it, or 64 hex digits)");
            }
        });
        Server.Validators.Add(result =>
        {
            if (!ServerAddress.TryParse(result.GetValueOrDefault<string>(), out _, out var error))
            {
                result.AddError($"--server: {error}");
            }
        });
        TrustFirstUse.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<bool>() && result.GetResult(Trust) is not null)
            {
                result.AddError("--trust and --trust-first-use: give one of them");
            }
        });
        Timeout.Validators.Add(result =>
        {
            int seconds = result.GetValueOrDefault<int>();
            if (seconds is < 1 or > 3600)
            {
                result.AddError($"--timeout must be 1..3600 seconds, not {seconds}");
            }
        });
    }

    public void AddTo(Command root)
    {
        root.Options.Add(Server);
        root.Options.Add(Json);
        root.Options.Add(Timeout);
        root.Options.Add(Trust);
        root.Options.Add(TrustFirstUse);
        root.Options.Add(Insecure);
    }
}
