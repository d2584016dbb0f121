using System.Reflection;

namespace OC.CliClient;

internal static class CliVersion
{
    /// <summary>The version without the source revision, e.g. "0.1.0" (sent in HELLO as "oc 0.1.0").</summary>
    public static string Text { get; } =
        (typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
