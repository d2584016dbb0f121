using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OC.Bench.Load;

/// <summary>
/// One run's result: a one-line summary for people, the same fields as one JSON object for
/// scripts (`--json`), and always the exact command and configuration beside the figures.
/// </summary>
internal sealed class Report(string summary)
{
    private readonly List<KeyValuePair<string, object>> _fields = [];

    public string Summary { get; } = summary;

    public Report Add(string key, object value)
    {
        _fields.Add(new(key, value));
        return this;
    }

    public void Print(LoadOptions options)
    {
        Console.WriteLine(Summary);
        Console.WriteLine("  config: " + string.Join(", ", _fields.Select(f => $"{f.Key}={Format(f.Value)}")));
        if (options.Json) Console.WriteLine("  json: " + ToJson());
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("summary", Summary);
            foreach (var (key, value) in _fields)
            {
                switch (value)
                {
                    case string s: writer.WriteString(key, s); break;
                    case bool b: writer.WriteBoolean(key, b); break;
                    case int i: writer.WriteNumber(key, i); break;
                    case long l: writer.WriteNumber(key, l); break;
                    case double d: writer.WriteNumber(key, Math.Round(d, 4)); break;
                    default: writer.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Format(object value) => value switch
    {
        double d => d.ToString(d >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Ms(double ms) => ms >= 10
        ? ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms"
        : ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    public static string Rate(double perSecond) => perSecond.ToString("#,0", CultureInfo.InvariantCulture);
}
