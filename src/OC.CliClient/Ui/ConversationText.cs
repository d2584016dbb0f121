using System.Globalization;
using System.Text;
using OC.CliClient.Terminal;

namespace OC.CliClient.Ui;

/// <summary>One row of the conversation pane: text and how it looks.</summary>
internal readonly record struct TextRow(string Text, CellStyle Style);

/// <summary>
/// A conversation as rows of a given width: a day separator where the local date changes, then
/// each message as "18:02 alice: text", wrapped at spaces, the rows after the first indented.
/// Every text is sanitised (<see cref="MessageLines.Visible"/>), as oc chat shows it.
/// </summary>
internal static class ConversationText
{
    public static List<TextRow> Rows(IReadOnlyList<Entry> entries, uint me, Func<uint, string> nick, int width)
    {
        var rows = new List<TextRow>();
        DateOnly? day = null;
        foreach (var entry in entries)
        {
            var local = DateTimeOffset.FromUnixTimeMilliseconds(entry.TimeUnixMs).ToLocalTime();
            var date = DateOnly.FromDateTime(local.DateTime);
            if (day != date)
            {
                day = date;
                rows.Add(new TextRow(DaySeparator(date, width), CellStyle.Dim));
            }

            bool mine = entry.From == me;
            string who = entry.Notice ? "*" : mine ? "you" : MessageLines.Visible(nick(entry.From));
            string mark = !mine || entry.Notice ? ""
                : entry.Failed ? " ✗ not sent"
                : entry.Seq == 0 ? " …"
                : entry.Delivered ? " ✓" : "";
            string head = local.ToString("HH:mm", CultureInfo.InvariantCulture) + " " + who + (entry.Notice ? " " : ": ");
            var style = entry.Notice ? CellStyle.Yellow : mine ? CellStyle.Cyan : CellStyle.Normal;
            string text = MessageLines.Visible(entry.Text.TrimEnd('\r', '\n').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'));
            bool first = true;
            foreach (string line in (text + mark).Split('\n'))
            {
                foreach (string piece in Wrap((first ? head : "      ") + line.Replace('\t', ' '), width, "      "))
                {
                    rows.Add(new TextRow(piece, style));
                }

                first = false;
            }
        }

        return rows;
    }

    public static string DaySeparator(DateOnly date, int width)
    {
        string label = " " + date.ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture) + " ";
        int side = Math.Max(1, (width - CellWidth.Of(label)) / 2);
        return CellWidth.Fit(new string('─', side) + label + new string('─', side), width);
    }

    /// <summary>Breaks <paramref name="text"/> into rows of at most <paramref name="width"/> columns, at spaces where it can.</summary>
    public static List<string> Wrap(string text, int width, string indent)
    {
        var rows = new List<string>();
        if (width <= CellWidth.Of(indent) + 1)
        {
            rows.Add(CellWidth.Fit(text, Math.Max(1, width)));
            return rows;
        }

        var row = new StringBuilder();
        int used = 0;
        int lastSpace = -1; // Index in row after which a break may go.
        foreach (var rune in text.EnumerateRunes())
        {
            int w = CellWidth.Of(rune);
            if (used + w > width)
            {
                string done;
                string carry;
                if (lastSpace > CellWidth.Of(indent))
                {
                    done = row.ToString(0, lastSpace);
                    carry = row.ToString(lastSpace + 1, row.Length - lastSpace - 1);
                }
                else
                {
                    done = row.ToString();
                    carry = "";
                }

                rows.Add(done.TrimEnd());
                row.Clear().Append(indent).Append(carry);
                used = CellWidth.Of(row.ToString());
                lastSpace = -1;
            }

            if (rune.Value == ' ') lastSpace = row.Length;
            row.Append(rune.ToString());
            used += w;
        }

        rows.Add(row.ToString().TrimEnd());
        return rows;
    }
}
