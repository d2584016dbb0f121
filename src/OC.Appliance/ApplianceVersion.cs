using System.Reflection;
using OC.Protocol;

namespace OC.Appliance;

internal static class ApplianceVersion
{
    public static string Text { get; } =
        (typeof(ApplianceVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    public static string Full => $"oc-appliance {Text} (protocol {ProtocolLimits.Version})";
}
