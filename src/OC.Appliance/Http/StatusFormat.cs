using System.Globalization;

namespace OC.Appliance.Http;

/// <summary>How the status page shows numbers. The page's script formats the same way (StatusPage.Script).</summary>
internal static class StatusFormat
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Int(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    public static string Bytes(long value)
    {
        if (value < 0) return "unknown";
        double v = value;
        int unit = 0;
        while (v >= 1024 && unit < Units.Length - 1)
        {
            v /= 1024;
            unit++;
        }
        return unit == 0
            ? $"{value.ToString(CultureInfo.InvariantCulture)} B"
            : $"{v.ToString("0.0", CultureInfo.InvariantCulture)} {Units[unit]}";
    }

    /// <summary>"04:05:06", or "3d 04:05:06" after a day.</summary>
    public static string Uptime(long seconds)
    {
        long days = seconds / 86400;
        var clock = string.Create(CultureInfo.InvariantCulture, $"{seconds % 86400 / 3600:00}:{seconds % 3600 / 60:00}:{seconds % 60:00}");
        return days > 0 ? string.Create(CultureInfo.InvariantCulture, $"{days}d {clock}") : clock;
    }

    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
