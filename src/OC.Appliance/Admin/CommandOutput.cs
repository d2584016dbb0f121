using System.Text.Json;

namespace OC.Appliance.Admin;

/// <summary>What the admin subcommands (user, backup, restore) print: one-line JSON and one-line errors.</summary>
internal static class CommandOutput
{
    /// <summary>One JSON object on one line, written by hand (no reflection under NativeAOT).</summary>
    public static string Json(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            fields(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The error on stderr as one line, and exit code 1.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine("oc-appliance: " + message);
        return 1;
    }
}
