using System.Globalization;
using System.Security;
using System.Text;

namespace OC.Bench.Load.Soak;

/// <summary>
/// The soak as an SVG: three panels over the same time axis (RSS, open file descriptors, chat
/// latency), attack waves shaded. Plain SVG written by hand: no plotting package for three lines.
/// </summary>
internal static class SoakPlot
{
    private const double Width = 900, PanelHeight = 190, Left = 70, Right = 20, Top = 46, Gap = 46, Bottom = 40;

    public static void Write(string path, IReadOnlyList<SoakSample> samples, IReadOnlyList<(double From, double To)> waves, SoakTrend trend, long idleRssKiB, string title)
    {
        if (samples.Count == 0) return;
        double minutes = samples[^1].ElapsedSeconds / 60;
        var svg = new StringBuilder();
        double height = Top + 3 * PanelHeight + 2 * Gap + Bottom;
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(Inv($"<text x=\"{Left}\" y=\"18\" font-size=\"13\">{SecurityElement.Escape(title)}</text>\n"));
        svg.Append(Inv($"<text x=\"{Left}\" y=\"34\" fill=\"#555\">shaded: memory attack waves holding; RSS trend over the second half {trend.SlopeKiBPerMinute:0.0} KiB/min; floor (lowest of each 2-min cycle) {trend.FloorSlopeKiBPerMinute:0.0} KiB/min</text>\n"));

        var rss = new Panel(svg, 0, minutes, samples, waves, "RSS (MiB)");
        double rssMax = Math.Max(samples.Max(s => s.RssKiB), idleRssKiB) / 1024.0;
        rss.Draw(0, Nice(rssMax * 1.1), [("#1f77b4", s => s.RssKiB / 1024.0, "VmRSS")],
            horizontal: idleRssKiB > 0 ? (idleRssKiB / 1024.0, $"idle {idleRssKiB / 1024.0:0} MiB") : null);
        // The fitted line over the second half.
        var half = samples.Where(s => s.ElapsedSeconds >= samples[^1].ElapsedSeconds / 2).ToList();
        if (half.Count >= 2)
        {
            double mx = half.Average(s => s.ElapsedSeconds / 60), my = half.Average(s => s.RssKiB / 1024.0);
            double x0 = half[0].ElapsedSeconds / 60, x1 = half[^1].ElapsedSeconds / 60, k = trend.SlopeKiBPerMinute / 1024;
            rss.Line(x0, my + k * (x0 - mx), x1, my + k * (x1 - mx), "#d62728", "fit, second half");
        }

        var fds = new Panel(svg, 1, minutes, samples, waves, "open fds / connections");
        double fdMax = Math.Max(samples.Max(s => s.Fds), samples.Max(s => s.Connections));
        fds.Draw(0, Nice(fdMax * 1.1), [("#2ca02c", s => s.Fds, "fds"), ("#9467bd", s => s.Connections, "protocol connections")]);

        // Logarithmic: a stalled interval's p99 is a thousand times a normal one's.
        var latency = new Panel(svg, 2, minutes, samples, waves, "chat latency (ms, log)") { Logarithmic = true };
        var measured = samples.Where(s => s.LatencyCount > 0).ToList();
        double latencyMax = measured.Count > 0 ? measured.Max(s => s.P99Ms) : 1;
        double latencyMin = measured.Count > 0 ? Math.Max(0.1, measured.Min(s => s.P50Ms)) : 0.1;
        latency.Draw(Math.Pow(10, Math.Floor(Math.Log10(latencyMin))), Math.Pow(10, Math.Ceiling(Math.Log10(latencyMax))), [("#ff7f0e", s => s.LatencyCount > 0 ? s.P99Ms : double.NaN, "p99"), ("#8c564b", s => s.LatencyCount > 0 ? s.P50Ms : double.NaN, "p50")]);
        svg.Append(Inv($"<text x=\"{Left + (Width - Left - Right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">minutes</text>\n"));
        svg.Append("</svg>\n");

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllText(path, svg.ToString());
    }

    /// <summary>A round upper bound for an axis: 1, 2 or 5 times a power of ten.</summary>
    private static double Nice(double max)
    {
        if (max <= 0) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (double m in (double[])[1, 2, 5, 10])
        {
            if (m * power >= max) return m * power;
        }
        return 10 * power;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed class Panel(StringBuilder svg, int index, double minutes, IReadOnlyList<SoakSample> samples, IReadOnlyList<(double From, double To)> waves, string label)
    {
        private readonly double _top = Top + index * (PanelHeight + Gap);
        private double _yMin, _yMax = 1;

        /// <summary>A log10 value axis, one grid line per decade.</summary>
        public bool Logarithmic { get; init; }
        private int _legend;

        private double X(double minute) => Left + (Width - Left - Right) * (minutes > 0 ? minute / minutes : 0);
        private double Y(double value)
        {
            double share = Logarithmic
                ? (Math.Log10(Math.Max(value, _yMin)) - Math.Log10(_yMin)) / (Math.Log10(_yMax) - Math.Log10(_yMin))
                : (value - _yMin) / (_yMax - _yMin);
            return _top + PanelHeight - PanelHeight * Math.Clamp(share, 0, 1.02);
        }

        public void Draw(double yMin, double yMax, (string Color, Func<SoakSample, double> Value, string Name)[] series, (double Value, string Name)? horizontal = null)
        {
            _yMin = yMin;
            _yMax = yMax;
            // Attack waves.
            foreach (var wave in waves)
            {
                double from = wave.From / 60, to = Math.Min(wave.To / 60, minutes);
                if (from >= minutes) continue;
                svg.Append(Inv($"<rect x=\"{X(from):0.0}\" y=\"{_top}\" width=\"{X(to) - X(from):0.0}\" height=\"{PanelHeight}\" fill=\"#f2dede\"/>\n"));
            }
            // Grid and axes.
            var grid = Logarithmic
                ? Enumerable.Range(0, (int)Math.Round(Math.Log10(yMax / yMin)) + 1).Select(i => yMin * Math.Pow(10, i))
                : Enumerable.Range(0, 5).Select(i => yMin + (yMax - yMin) * i / 4);
            foreach (double v in grid)
            {
                svg.Append(Inv($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(v):0.0}\" y2=\"{Y(v):0.0}\" stroke=\"#ddd\"/>\n"));
                svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{Y(v) + 4:0.0}\" text-anchor=\"end\">{v:0.##}</text>\n"));
            }
            double step = minutes > 20 ? 5 : minutes > 4 ? 1 : 0.5;
            for (double m = 0; m <= minutes + 1e-9; m += step)
            {
                svg.Append(Inv($"<line x1=\"{X(m):0.0}\" x2=\"{X(m):0.0}\" y1=\"{_top + PanelHeight}\" y2=\"{_top + PanelHeight + 4}\" stroke=\"#333\"/>\n"));
                svg.Append(Inv($"<text x=\"{X(m):0.0}\" y=\"{_top + PanelHeight + 16}\" text-anchor=\"middle\">{m:0.#}</text>\n"));
            }
            svg.Append(Inv($"<rect x=\"{Left}\" y=\"{_top}\" width=\"{Width - Left - Right}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#333\"/>\n"));
            svg.Append(Inv($"<text transform=\"translate(16 {_top + PanelHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{SecurityElement.Escape(label)}</text>\n"));

            if (horizontal is { } h) Line(0, h.Value, minutes, h.Value, "#777", h.Name, dashed: true);
            foreach (var (color, value, name) in series)
            {
                var points = new StringBuilder();
                foreach (var s in samples)
                {
                    double v = value(s);
                    if (double.IsNaN(v) || v < 0) continue;
                    points.Append(Inv($"{X(s.ElapsedSeconds / 60):0.0},{Y(v):0.0} "));
                }
                svg.Append(Inv($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points.ToString().TrimEnd()}\"/>\n"));
                Legend(color, name, dashed: false);
            }
        }

        public void Line(double x0, double y0, double x1, double y1, string color, string name, bool dashed = false)
        {
            string dash = dashed ? " stroke-dasharray=\"5 4\"" : "";
            svg.Append(Inv($"<line x1=\"{X(x0):0.0}\" y1=\"{Y(y0):0.0}\" x2=\"{X(x1):0.0}\" y2=\"{Y(y1):0.0}\" stroke=\"{color}\" stroke-width=\"1.5\"{dash}/>\n"));
            Legend(color, name, dashed);
        }

        private void Legend(string color, string name, bool dashed)
        {
            double x = Left + 10 + 170 * _legend++, y = _top + 14;
            string dash = dashed ? " stroke-dasharray=\"5 4\"" : "";
            svg.Append(Inv($"<line x1=\"{x}\" y1=\"{y - 4}\" x2=\"{x + 22}\" y2=\"{y - 4}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n"));
            svg.Append(Inv($"<text x=\"{x + 28}\" y=\"{y}\">{SecurityElement.Escape(name)}</text>\n"));
        }
    }
}
