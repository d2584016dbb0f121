using OC.CliClient.Terminal;

namespace OC.CliClient;

internal static class Program
{
    private static Task<int> Main(string[] args) => OcCli.RunAsync(args, CliEnvironment.FromProcess());
}
