using System.Diagnostics;

namespace StreamingApi.Bench;

public sealed partial class Scenarios
{
    /// <summary>
    /// 9. What tracing costs: the held streams (2,000) and the parallel deltas (8 × 50,000) without an OTLP endpoint (no
    /// tracer provider: no span is made), with one and every trace sampled out (<c>always_off</c>), and with every trace
    /// kept and exported (<c>always_on</c>) to a local sink; each against the first.
    /// </summary>
    public async Task TelemetryCostAsync()
    {
        await using var sink = new OtlpSink();
        (string Name, Dictionary<string, string> Settings)[] modes =
        [
            ("no tracing", []),
            ("tracing, sampling off", Traced(sink, "always_off")),
            ("tracing, sampling on", Traced(sink, "always_on")),
        ];

        var held = Math.Min(2_000, sizes.HeldStreams);
        var heldRuns = modes.ToDictionary(m => m.Name, _ => new List<HeldResult>());
        var deltaRuns = modes.ToDictionary(m => m.Name, _ => new List<(double Rate, double Cpu, double Allocated)>());
        for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
        {
            foreach (var (name, settings) in modes)
            {
                await using (var server = await startService(Paced(settings)))
                    heldRuns[name].Add(await HoldAsync(server, $"stream/text?prompt={Prompt}", held, $"{held:N0} held streams, {name}, repetition {repetition + 1}"));
                await using (var server = await startService(new Dictionary<string, string>(Unthrottled(sizes.ParallelDeltas).Concat(settings))))
                    deltaRuns[name].Add(await ParallelDeltasAsync(server));
            }
        }

        foreach (var (name, _) in modes.Skip(1))
        {
            string HeldRatio(Func<HeldResult, double> figure) => Measurements.Format(Measurements.Spread(
                heldRuns[name].Zip(heldRuns[modes[0].Name], (t, n) => figure(t) / figure(n)).ToList()), "0.00");
            string DeltaRatio(Func<(double Rate, double Cpu, double Allocated), double> figure) => Measurements.Format(Measurements.Spread(
                deltaRuns[name].Zip(deltaRuns[modes[0].Name], (t, n) => figure(t) / figure(n)).ToList()), "0.00");
            report($"| 9. Tracing cost, {name}, against no tracing | {held:N0} held streams: CPU per event {HeldRatio(r => r.CpuSecondsPerMillion)}×, " +
                   $"first event p99 {HeldRatio(r => r.FirstP99)}×, RSS per stream {HeldRatio(r => r.PerStreamKiB)}×; " +
                   $"{sizes.ParallelStreams} × {sizes.ParallelDeltas:N0} deltas: events per second {DeltaRatio(r => r.Rate)}×, " +
                   $"CPU per event {DeltaRatio(r => r.Cpu)}×, bytes allocated per event {DeltaRatio(r => r.Allocated)}× | — |");
        }
        report($"   OTLP received by the sink: {sink.Bytes / 1048576.0:0.0} MiB");
    }

    private static Dictionary<string, string> Traced(OtlpSink sink, string sampler) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_TRACES_SAMPLER"] = sampler,
    };

    /// <summary>One repetition of the parallel streams (warmed up first): events per second, server CPU and bytes allocated per event.</summary>
    private async Task<(double Rate, double Cpu, double Allocated)> ParallelDeltasAsync(ServerProcess server)
    {
        using var http = SseClient.CreateHttpClient(server.Address);
        var url = $"stream/text?prompt={Prompt}";
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Task.WhenAll(Enumerable.Range(0, sizes.ParallelStreams).Select(_ => SseClient.ReadAsync(http, url, null, limit.Token))); // JIT, tiering
        var allocatedBefore = (await PrometheusScrape.ReadAsync(http)).Sum("dotnet_gc_heap_total_allocated_bytes_total");
        var cpuBefore = server.CpuTime;
        var started = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(Enumerable.Range(0, sizes.ParallelStreams).Select(_ => SseClient.ReadAsync(http, url, null, limit.Token)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var events = counts.Sum(c => c.Frames);
        var allocated = (await PrometheusScrape.ReadAsync(http)).Sum("dotnet_gc_heap_total_allocated_bytes_total") - allocatedBefore;
        return (events / elapsed.TotalSeconds, (server.CpuTime - cpuBefore).TotalSeconds / (events / 1e6), allocated / events);
    }
}
