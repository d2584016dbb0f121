using System.Globalization;
using OC.Bench.Load;

namespace OC.Bench.Scale;

/// <summary>The options of `fill` and `scale` (issue 13's figures at 10 M messages).</summary>
internal sealed record ScaleOptions(string Data, long Messages, int Conversations, int Users, int TextBytes, string? Appliance, int Samples)
{
    public const string Usage = """
        fill  --data DIR [--messages 10000000] [--conversations 10000] [--users 200] [--text-bytes 40]
              writes a new data folder: accounts (password bench-password) and the messages, indexed
        scale --data DIR [--appliance PATH] [--samples 2000]
              starts the AOT appliance on a filled folder and measures: start to listening, idle RSS,
              HISTORY pages of 50 before random seqs (p50/p99), SYNC of the 10,000 newest messages of one user
        """;

    public static ScaleOptions Parse(string[] args)
    {
        var o = new ScaleOptions("", 10_000_000, 10_000, 200, 40, null, 2000);
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--data" => o with { Data = Value() },
                "--messages" => o with { Messages = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--conversations" => o with { Conversations = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--users" => o with { Users = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--text-bytes" => o with { TextBytes = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--appliance" => o with { Appliance = Value() },
                "--samples" => o with { Samples = int.Parse(Value(), CultureInfo.InvariantCulture) },
                _ => throw new UsageException($"unknown option {args[i]}\n{Usage}"),
            };
        }
        if (o.Data.Length == 0) throw new UsageException($"--data DIR is required\n{Usage}");
        if (o.Users < 2 || o.Conversations < 1 || o.Messages < 1 || o.TextBytes is < 1 or > 4096) throw new UsageException($"out of range\n{Usage}");
        return o;
    }
}
