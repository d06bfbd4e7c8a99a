using ScottPlot;

namespace StreamingApi.Bench;

/// <summary>
/// The cost curve as a PNG: a row of charts per pace, server CPU per event on the left and RSS per stream on the
/// right, service and baseline on the same axes, streams on a logarithmic x axis. A point where a side did not keep
/// its pace is drawn hollow. The titles name the protocol the streams were held over.
/// </summary>
public static class CostCurveChart
{
    public static void Save(IReadOnlyList<CurvePoint> points, string path, string protocol)
    {
        var paces = points.Select(p => p.TokensPerSecond).Distinct().ToList();
        var multiplot = new Multiplot(); // it comes with a plot of its own: the first of the grid
        while (multiplot.Count() < paces.Count * 2) multiplot.AddPlot();
        for (var row = 0; row < paces.Count; row++)
        {
            var pace = paces[row];
            var at = points.Where(p => p.TokensPerSecond == pace).OrderBy(p => p.Streams).ToList();
            Add(multiplot.GetPlot(2 * row), at, $"Server CPU per event at {pace} tokens/s, {protocol}", "CPU per event (µs)",
                p => p.ServiceCpuMicrosPerEvent, p => p.BaselineCpuMicrosPerEvent);
            Add(multiplot.GetPlot(2 * row + 1), at, $"RSS per held stream at {pace} tokens/s, {protocol}", "RSS per stream (KiB)",
                p => p.ServiceKiBPerStream, p => p.BaselineKiBPerStream);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(paces.Count, 2);
        multiplot.SavePng(path, 1400, 480 * paces.Count);
    }

    private static void Add(Plot plot, List<CurvePoint> points, string title, string yLabel, Func<CurvePoint, double> service, Func<CurvePoint, double> baseline)
    {
        var xs = points.Select(p => Math.Log10(p.Streams)).ToArray();
        Series(plot, xs, points, service, p => p.ServiceKept, "service", Colors.C0);
        Series(plot, xs, points, baseline, p => p.BaselineKept, "baseline (bare ASP.NET Core SSE)", Colors.C1);
        plot.Axes.Bottom.SetTicks(xs, points.Select(p => p.Streams.ToString("N0")).ToArray());
        plot.Title(title);
        plot.XLabel("held streams (log scale); a hollow point: that side did not keep its pace");
        plot.YLabel(yLabel);
        plot.Axes.Margins(0.1, 0.1);
        plot.Axes.SetLimitsY(0, points.Max(p => Math.Max(service(p), baseline(p))) * 1.15);
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void Series(Plot plot, double[] xs, List<CurvePoint> points, Func<CurvePoint, double> figure, Func<CurvePoint, bool> kept, string label, Color color)
    {
        var line = plot.Add.ScatterLine(xs, points.Select(figure).ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = 0;
        // Filled where the side kept its pace, hollow where it did not.
        foreach (var (x, point) in xs.Zip(points))
        {
            var marker = plot.Add.Marker(x, figure(point), kept(point) ? MarkerShape.FilledCircle : MarkerShape.OpenCircle, 10, color);
            marker.LegendText = "";
        }
    }
}
