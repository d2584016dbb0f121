using OC.Protocol.Framing;
using OC.Protocol.Messages;

namespace OC.Bench.Load;

/// <summary>`ping`: C connections x W PING in flight: the event loop's raw request rate, no storage involved.</summary>
internal static class PingMode
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        RequestWriter write = static (buffer, id) => EmptyFrame.Write(buffer, FrameType.Ping, id);
        int failures = 0;
        foreach (int connections in options.Connections)
        {
            using var target = Target.Start(options, flushToDisk: true, "ping", options.TlsRuns[0]);
            var r = await LoadRunner.RunWindowAsync(options, target, connections, write, FrameType.Pong).ConfigureAwait(false);
            if (r.Errors > 0) failures++;
            string cpu = r.ApplianceCpu is double c ? $", appliance CPU {c:0.00} cores" : "";
            new Report($"ping: {connections} conn x {options.Window} window: {Report.Rate(r.PerSecond)} round trips/s, " +
                       $"p50 {Report.Ms(r.Latency.P50Ms)}, p99 {Report.Ms(r.Latency.P99Ms)}, p99.9 {Report.Ms(r.Latency.P999Ms)}{cpu}, errors {r.Errors}")
                .Add("mode", "ping")
                .Add("connections", connections)
                .Add("window", options.Window)
                .Add("durationSeconds", options.DurationSeconds)
                .Add("warmupSeconds", options.WarmupSeconds)
                .Add("roundTrips", r.Completed)
                .Add("roundTripsPerSecond", r.PerSecond)
                .Add("p50Ms", r.Latency.P50Ms)
                .Add("p99Ms", r.Latency.P99Ms)
                .Add("p999Ms", r.Latency.P999Ms)
                .Add("maxMs", r.Latency.MaxMs)
                .Add("errors", r.Errors)
                .Add("applianceCpuCores", r.ApplianceCpu ?? -1)
                .Add("benchProcessCpuCores", r.BenchCpu)
                .Add("target", target.Description)
                .Print(options);
        }
        return failures == 0 ? 0 : 1;
    }
}
