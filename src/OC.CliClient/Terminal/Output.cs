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
        if (json) Write(OutputJsonContext.Serialize(value, type));
        else Line(text);
    }

    /// <summary>
    /// One line of a stream of results (<c>oc history</c>, <c>oc listen</c>), flushed at once. Text
    /// for people goes through <see cref="MessageLines.Visible"/>, whatever it holds (nicknames,
    /// file names); with <c>--json</c> the line is JSON and is written as it is: the raw text, with
    /// JSON's escapes.
    /// </summary>
    public void Line(string text) => Write(json ? text : MessageLines.Visible(text));

    /// <summary>
    /// One line of text for people that was made safe piece by piece already (<see cref="RoomLines"/>,
    /// <see cref="MessageLines.Conversation(long, string, string, string, Mentions)"/>): written as
    /// it is, so that the highlight of a mention, the one escape sequence oc adds, survives.
    /// </summary>
    public void SafeLine(string text) => Write(text);

    /// <summary>One JSON object as one line, whatever <c>--json</c> says.</summary>
    public void JsonLine<T>(T value, JsonTypeInfo<T> type) => Write(OutputJsonContext.Serialize(value, type));

    private void Write(string line)
    {
        stdout.WriteLine(line);
        stdout.Flush();
    }
}
