using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OC.CliClient.Terminal;

/// <summary>
/// Where a command's result goes: stdout, as text for people or with <c>--json</c> as one JSON
/// object on one line for scripts. Failures never come through here (see <see cref="ErrorReport"/>).
/// </summary>
internal sealed class Output(TextWriter stdout, bool json)
{
    public bool Json => json;

    /// <summary>Writes <paramref name="value"/> as JSON, or <paramref name="text"/> (which may span lines).</summary>
    public void Result<T>(T value, JsonTypeInfo<T> type, string text)
    {
        Line(json ? OutputJsonContext.Serialize(value, type) : text);
    }

    /// <summary>One line of a stream of results (<c>oc history</c>, <c>oc listen</c>), flushed at once.</summary>
    public void Line(string text)
    {
        stdout.WriteLine(text);
        stdout.Flush();
    }

    /// <summary>One JSON object as one line, whatever <c>--json</c> says.</summary>
    public void JsonLine<T>(T value, JsonTypeInfo<T> type) => Line(OutputJsonContext.Serialize(value, type));
}
