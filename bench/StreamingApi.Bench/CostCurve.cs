namespace StreamingApi.Bench;

public sealed partial class Scenarios
{
    /// <summary>The paces of the cost curve, in tokens a second: streams that mostly wait, and a model's pace.</summary>
    private static readonly double[] CurvePaces = [1, 20];

    /// <summary>Text deltas in each stream of the cost curve.</summary>
    private const int CurveDeltas = 30;

    /// <summary>
    /// 12. The cost curve: held streams at each of <see cref="BenchSizes.CurveSizes"/> (1,000 to 20,000), at 1 and at
    /// 20 tokens a second, 30 tokens each, service and baseline measured in the same run one after the other (scenario
    /// 3's measuring, <see cref="HoldAsync(ServerProcess, string, int, HeldLoad, string)"/>, on a fresh server each).
    /// Every stream's first token waits for the ramp that opens them all (50 every 20 ms) to end, so that all are held
    /// at once at either pace: 30 tokens at 20 a second would otherwise end before the later streams of a large step
    /// were open. For each point: server CPU per event and RSS per stream, their ratios, and whether each side kept
    /// its pace (<see cref="KeptPace"/>). The curve is drawn to <c>bench/cost-curve.png</c>. With <see cref="Http2"/>
    /// both sides speak HTTP/2 only and the streams are multiplexed, up to Kestrel's default of 100 a connection, on
    /// few connections: a descriptor per 100 streams rather than one per stream, so that 20,000 streams fit an
    /// open-file limit of 20,000; that curve is drawn to <c>bench/cost-curve-http2.png</c>.
    /// </summary>
    public async Task CostCurveAsync()
    {
        var largest = sizes.CurveSizes.Max();
        report($"   {FileLimits.Raise(DescriptorsFor(largest))}");
        var over = Http2 ? " over HTTP/2" : "";
        var points = new List<CurvePoint>();
        foreach (var pace in CurvePaces)
        {
            foreach (var count in sizes.CurveSizes)
            {
                if (DescriptorsFor(count) > FileLimits.Current)
                {
                    // Past the limit the client's sockets fail, and so does the runtime's own reading of /proc (which
                    // it reports as "Out of memory." before it aborts): the step is left out rather than run.
                    report($"| 12. Cost curve{over}, {count:N0} held streams × {CurveDeltas} tokens at {pace} tokens/s | not measured: " +
                           $"{DescriptorsFor(count):N0} open files needed, the limit is {FileLimits.Current:N0}" +
                           $"{(Http2 ? "" : " (over HTTP/2, --http2, they fit)")} | — |");
                    continue;
                }
                var load = new HeldLoad(pace, CurveDeltas, TimeSpan.FromSeconds(Math.Ceiling(count / (double)HeldRampPerSecond)));
                var service = new List<HeldResult>();
                var baseline = new List<HeldResult>();
                for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
                {
                    var step = $"{count:N0} held streams at {pace} tokens/s{over}";
                    await using (var server = await startService(Paced(load)))
                        service.Add(await HoldAsync(server, HeldServiceUrl, count, load, $"{step}, service, repetition {repetition + 1}"));
                    await using (var server = await startBaseline())
                        baseline.Add(await HoldAsync(server, HeldBaselineUrl(load), count, load, $"{step}, baseline, repetition {repetition + 1}"));
                }
                var point = new CurvePoint(pace, count, Median(service, r => r.CpuSecondsPerMillion), Median(baseline, r => r.CpuSecondsPerMillion),
                    Median(service, r => r.PerStreamKiB), Median(baseline, r => r.PerStreamKiB),
                    Kept(service, count, load), Kept(baseline, count, load));
                points.Add(point);
                string Ratio(Func<HeldResult, double> figure) =>
                    Measurements.Format(Measurements.Spread(service.Zip(baseline, (s, b) => figure(s) / figure(b)).ToList()), "0.00");
                report($"| 12. Cost curve{over}, {count:N0} held streams × {CurveDeltas} tokens at {pace} tokens/s | service: {Describe(service)}; " +
                       $"kept its pace: {(point.ServiceKept ? "yes" : "no")}; baseline: {Describe(baseline)}; kept its pace: {(point.BaselineKept ? "yes" : "no")}; " +
                       $"**ratios service / baseline: CPU per event {Ratio(r => r.CpuSecondsPerMillion)}×, RSS per stream {Ratio(r => r.PerStreamKiB)}×** | " +
                       "CPU per event ≤ 1.3×, RSS per stream ≤ 1.25× |");
            }
        }

        if (points.Count == 0) return;
        var chart = Path.Combine(OutputDirectory, Http2 ? "cost-curve-http2.png" : "cost-curve.png");
        CostCurveChart.Save(points, chart, Http2 ? "HTTP/2" : "HTTP/1.1");
        foreach (var pace in CurvePaces)
        {
            var at = points.Where(p => p.TokensPerSecond == pace).ToList();
            if (at.Count == 0) continue;
            report($"| 12. Cost curve{over} at {pace} tokens/s: where each side stops keeping its pace ({PaceBound(pace)}) | " +
                   $"service: {FirstMissed(at, p => p.ServiceKept)}; baseline: {FirstMissed(at, p => p.BaselineKept)}; chart: {Path.GetFileName(chart)} | — |");
        }

        static double Median(List<HeldResult> runs, Func<HeldResult, double> figure) => Measurements.Spread(runs.Select(figure).ToList()).Median;

        // A side keeps its pace at a size when it does in most repetitions.
        static bool Kept(List<HeldResult> runs, int count, HeldLoad load) => runs.Count(r => KeptPace(r, count, load)) * 2 > runs.Count;

        static string FirstMissed(List<CurvePoint> points, Func<CurvePoint, bool> kept) =>
            points.FirstOrDefault(p => !kept(p)) is { } missed ? $"from {missed.Streams:N0} streams" : $"kept it up to {points[^1].Streams:N0} streams";
    }

    /// <summary>
    /// Whether the servers speak HTTP/2 only (<c>--http2</c>, h2c with prior knowledge), as browsers hold many
    /// EventSource streams in deployments, multiplexed on few connections; HTTP/1.1, a connection per stream, otherwise.
    /// </summary>
    public bool Http2 { get; init; }

    /// <summary>Kestrel's default <c>Limits.Http2.MaxStreamsPerConnection</c>, left as it is on both sides.</summary>
    private const int StreamsPerHttp2Connection = 100;

    /// <summary>
    /// The open files <paramref name="streams"/> held streams need on each side: a socket per connection (per stream
    /// over HTTP/1.1, per <see cref="StreamsPerHttp2Connection"/> over HTTP/2), and 1,000 to spare for the runtime's own.
    /// </summary>
    private int DescriptorsFor(int streams) => (Http2 ? (streams + StreamsPerHttp2Connection - 1) / StreamsPerHttp2Connection : streams) + 1_000;

    /// <summary>Where the chart is written (bench/ when the bench is started by run.sh).</summary>
    public string OutputDirectory { get; init; } = ".";

    /// <summary>
    /// Whether a side kept its pace with <paramref name="count"/> streams: every stream completed, the first event
    /// came within 1 s at p99, and the text deltas arrived at p99 within one token's interval of their schedule (at
    /// least 250 ms: what a reader sees as a stall).
    /// </summary>
    private static bool KeptPace(HeldResult result, int count, HeldLoad load) =>
        result.Completed >= count && result.FirstP99 <= 1_000 && result.DelayP99 <= DelayBoundMs(load.TokensPerSecond);

    private static double DelayBoundMs(double tokensPerSecond) => Math.Max(250, 1_000 / tokensPerSecond);

    private static string PaceBound(double tokensPerSecond) =>
        $"all completed, first event p99 ≤ 1 s, delivery delay p99 ≤ {DelayBoundMs(tokensPerSecond):0} ms";
}

/// <summary>One point of the cost curve: medians of the repetitions, service and baseline.</summary>
public sealed record CurvePoint(double TokensPerSecond, int Streams, double ServiceCpuMicrosPerEvent, double BaselineCpuMicrosPerEvent,
    double ServiceKiBPerStream, double BaselineKiBPerStream, bool ServiceKept, bool BaselineKept);
