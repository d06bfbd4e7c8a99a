using System.Globalization;

namespace StreamingApi.Bench;

/// <summary>Reads the service's own instruments from its Prometheus endpoint, <c>/metrics</c>.</summary>
public sealed class PrometheusScrape(string text)
{
    public static async Task<PrometheusScrape> ReadAsync(HttpClient http) => new(await http.GetStringAsync("metrics"));

    /// <summary>The sum of a metric's samples over all label sets (or those whose labels mention <paramref name="label"/>).</summary>
    public double Sum(string metric, string? label = null) => Samples(metric, label).Sum(s => s.Value);

    /// <summary>
    /// A percentile of a histogram, as the upper bound of the bucket it falls in (Prometheus' buckets are
    /// cumulative): "p99 ≤ 1 ms" means 99% of the values were at most 1 ms.
    /// </summary>
    public double PercentileUpperBound(string histogram, double percentile)
    {
        var buckets = Samples(histogram + "_bucket")
            .GroupBy(s => s.Le)
            .Select(g => (Le: g.Key, Count: g.Sum(s => s.Value)))
            .OrderBy(b => b.Le)
            .ToList();
        var total = buckets.LastOrDefault().Count;
        if (total == 0) return double.NaN;
        return buckets.First(b => b.Count >= percentile / 100 * total).Le;
    }

    private IEnumerable<(double Le, double Value)> Samples(string metric, string? label = null)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length <= metric.Length || line[metric.Length] is not ('{' or ' ')) continue;
            if (label is not null && !line.Contains($"\"{label}\"", StringComparison.Ordinal)) continue;
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            var le = double.PositiveInfinity;
            var at = line.IndexOf("le=\"", StringComparison.Ordinal);
            if (at >= 0)
            {
                var bound = line[(at + 4)..line.IndexOf('"', at + 4)];
                le = bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture);
            }
            yield return (le, value);
        }
    }
}
