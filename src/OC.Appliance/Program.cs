namespace OC.Appliance;

internal static class Program
{
    private static int Main(string[] args) => ApplianceCommandLine.Run(args);
}
