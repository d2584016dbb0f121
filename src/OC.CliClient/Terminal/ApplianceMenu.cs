using System.Globalization;
using OC.CliClient.Discovery;

namespace OC.CliClient.Terminal;

/// <summary>On a terminal, several appliances on the LAN: a numbered list on stderr, and the number typed.</summary>
internal static class ApplianceMenu
{
    public static DiscoveredAppliance Ask(CliEnvironment environment, IReadOnlyList<DiscoveredAppliance> found)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(found);
        var error = environment.Error;
        error.WriteLine("Several appliances are on the LAN:");
        int width = found.Max(a => a.Name.Length);
        for (int i = 0; i < found.Count; i++)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i + 1}) {found[i].Name.PadRight(width)}  {found[i].Server}"));
        }
        error.Write(string.Create(CultureInfo.InvariantCulture, $"Which one (1-{found.Count})? "));
        error.Flush();
        string? line = environment.OpenIn().ReadLine();
        if (line is null) throw CliException.Usage("no appliance chosen (end of input)");
        if (int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int choice) && choice >= 1 && choice <= found.Count)
        {
            return found[choice - 1];
        }
        throw CliException.Usage($"'{line.Trim()}' is not one of 1-{found.Count}; or name the appliance with --server HOST[:PORT]");
    }
}
