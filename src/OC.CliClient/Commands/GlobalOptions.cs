using System.CommandLine;
using OC.CliClient.Config;

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

    public GlobalOptions()
    {
        Server.Validators.Add(result =>
        {
            if (!ServerAddress.TryParse(result.GetValueOrDefault<string>(), out _, out var error))
            {
                result.AddError($"--server: {error}");
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
    }
}
