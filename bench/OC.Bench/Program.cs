using BenchmarkDotNet.Running;
using OC.Bench.Load;

namespace OC.Bench;

/// <summary>
/// `dotnet run -c Release --project bench/OC.Bench -- MODE [options]`
/// <list type="bullet">
/// <item><c>micro [BenchmarkDotNet options]</c>: the allocation-free hot path (FrameParser, FrameWriter, PayloadReader).</item>
/// <item><c>accounts</c>, <c>ping</c>, <c>idle</c>, <c>chat</c>, <c>files</c>, <c>chat-during-upload</c>, <c>handshakes</c>: load against a real appliance (TLS by default, <c>--tls off|both</c>) (see Load/LoadOptions.cs, or <c>--help</c>).</item>
/// <item><c>fill --data DIR [--messages N] [--conversations M] [--users U]</c> and <c>scale --data DIR</c>: a data folder of millions of messages, and the published appliance measured on it (Scale/).</item>
/// <item><c>soak [--duration 30m] [--sample 10] [--pairs 100] [--csv PATH] [--svg PATH]</c>: mixed load against the published AOT appliance for half an hour, sampled into a CSV and a plot, and the RSS trend (Load/Soak/SoakMode.cs).</item>
/// </list>
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(LoadOptions.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "micro")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }
        if (args[0] is "fill" or "scale")
        {
            try
            {
                return args[0] == "fill" ? Scale.FillMode.Run(args) : await Scale.ScaleMode.RunAsync(args).ConfigureAwait(false);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"oc-bench: {e.Message}");
                return 2;
            }
        }
        return await LoadRunner.RunAsync(args).ConfigureAwait(false);
    }
}
