namespace OC.Appliance.Storage;

/// <summary>Times as LiteDB gives them back: UTC, whole milliseconds (it stores no finer).</summary>
internal static class StoredTime
{
    /// <summary>An unspecified kind is taken as UTC.</summary>
    internal static DateTime Utc(DateTime value)
    {
        var utc = value.Kind switch
        {
            DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            DateTimeKind.Local => value.ToUniversalTime(),
            _ => value,
        };
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
