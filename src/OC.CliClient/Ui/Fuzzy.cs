namespace OC.CliClient.Ui;

/// <summary>
/// The Ctrl-K jump's matching: the query's characters must appear in the name in order (case
/// ignored); matches at the start of the name or of a word, and runs of consecutive characters,
/// score higher. A query of digits also matches an OC number by prefix.
/// </summary>
internal static class Fuzzy
{
    /// <summary>The score of <paramref name="candidate"/> for <paramref name="query"/>, higher is better; null when it does not match.</summary>
    public static int? Score(string query, string candidate)
    {
        if (query.Length == 0) return 0;
        int score = 0;
        int at = 0;
        int previous = -2;
        foreach (char q in query)
        {
            if (char.IsWhiteSpace(q)) continue;
            int found = -1;
            for (int i = at; i < candidate.Length; i++)
            {
                if (char.ToLowerInvariant(candidate[i]) == char.ToLowerInvariant(q))
                {
                    found = i;
                    break;
                }
            }

            if (found < 0) return null;
            score += 1;
            if (found == previous + 1) score += 5;
            if (found == 0) score += 10;
            else if (!char.IsLetterOrDigit(candidate[found - 1])) score += 6;
            previous = found;
            at = found + 1;
        }

        return score - Math.Max(0, candidate.Length - query.Length) / 4;
    }

    /// <summary>The items that match, best first (ties keep their order).</summary>
    public static List<T> Rank<T>(string query, IEnumerable<T> items, Func<T, string> name)
    {
        return [.. items
            .Select((item, index) => (item, index, score: Score(query, name(item))))
            .Where(x => x.score is not null)
            .OrderByDescending(x => x.score)
            .ThenBy(x => x.index)
            .Select(x => x.item)];
    }
}
