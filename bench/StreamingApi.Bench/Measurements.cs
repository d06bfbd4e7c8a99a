namespace StreamingApi.Bench;

/// <summary>Min / median / max of repeated runs, and percentiles of samples.</summary>
public static class Measurements
{
    public static (double Min, double Median, double Max) Spread(IReadOnlyList<double> runs)
    {
        var sorted = runs.Order().ToArray();
        return (sorted[0], sorted[sorted.Length / 2], sorted[^1]);
    }

    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples as double[] ?? samples.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static string Format((double Min, double Median, double Max) spread, string format) =>
        $"{spread.Median.ToString(format)} ({spread.Min.ToString(format)} – {spread.Max.ToString(format)})";
}
