using System.Globalization;
using System.Text;

namespace OC.Tests.Http;

/// <summary>One sample line: name, labels, value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, written for the tests so they
/// do not trust the appliance's own writer: it throws on anything the format does not allow.
/// Every sample's metric must have exactly one # HELP and one # TYPE before its samples, the
/// samples of one metric must be one group, and no series may repeat.
/// </summary>
internal static class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyList<PrometheusSample> Parse(string text, out IReadOnlyDictionary<string, string> types)
    {
        if (text.Length == 0 || text[^1] != '\n') throw new FormatException("the exposition must end with a line feed");
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var typeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        var series = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;

        var lines = text[..^1].Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            string Where() => $"line {i + 1}: '{line}'";
            if (line.Length == 0) continue;
            if (line.Contains('\r', StringComparison.Ordinal)) throw new FormatException("carriage return in " + Where());

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[0] == "#" && parts[1] is "HELP" or "TYPE")
                {
                    string name = parts[2];
                    if (!IsMetricName(name)) throw new FormatException("bad metric name in " + Where());
                    if (samples.Any(s => s.Name == name)) throw new FormatException($"{parts[1]} after the samples of {name}: " + Where());
                    if (parts[1] == "HELP")
                    {
                        if (!help.TryAdd(name, parts.Length > 3 ? UnescapeHelp(parts[3]) : "")) throw new FormatException("second HELP: " + Where());
                    }
                    else
                    {
                        if (parts.Length != 4 || !Types.Contains(parts[3])) throw new FormatException("bad TYPE: " + Where());
                        if (!typeOf.TryAdd(name, parts[3])) throw new FormatException("second TYPE: " + Where());
                    }
                }
                continue; // any other comment
            }

            var sample = ParseSample(line, Where);
            if (!help.ContainsKey(sample.Name)) throw new FormatException($"{sample.Name} has no HELP");
            if (!typeOf.ContainsKey(sample.Name)) throw new FormatException($"{sample.Name} has no TYPE");
            if (current != sample.Name)
            {
                if (current is not null) finished.Add(current);
                if (finished.Contains(sample.Name)) throw new FormatException($"the samples of {sample.Name} are not one group: " + Where());
                current = sample.Name;
            }
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!series.Add(key)) throw new FormatException("series repeated: " + Where());
            samples.Add(sample);
        }
        types = typeOf;
        return samples;
    }

    private static PrometheusSample ParseSample(string line, Func<string> where)
    {
        int i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        string name = line[..i];
        if (!IsMetricName(name)) throw new FormatException("bad metric name in " + where());

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                int start = i;
                while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
                string label = line[start..i];
                if (label.Length == 0 || char.IsAsciiDigit(label[0])) throw new FormatException("bad label name in " + where());
                if (i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"') throw new FormatException("expected =\" in " + where());
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException("unterminated label value in " + where());
                    char c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException("dangling escape in " + where());
                        value.Append(line[i++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException("bad escape in " + where()),
                        });
                        continue;
                    }
                    value.Append(c);
                }
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException("label repeated in " + where());
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; break; }
                throw new FormatException("expected , or } in " + where());
            }
        }

        if (i >= line.Length || line[i] != ' ') throw new FormatException("expected one space before the value in " + where());
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw new FormatException("expected a value and at most a timestamp in " + where());
        double number = rest[0] switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException("bad value in " + where()),
        };
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException("bad timestamp in " + where());
        return new PrometheusSample(name, labels, number);
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static string UnescapeHelp(string text) => text.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
}
