using System.Diagnostics;

namespace StreamingApi.Bench;

public sealed partial class Scenarios
{
    /// <summary>
    /// 11. A real provider's wire: the model is an OpenAI-compatible server, then Gemini, on loopback
    /// (<see cref="ProviderUpstream"/>, a process of its own, streaming pre-built frames as fast as the socket takes
    /// them). The service (<c>Agent:Provider</c> pointed at it, <c>/stream/text</c>) against the bare proxy of the same
    /// upstream (<see cref="BareProxy"/>), both servers up and their runs alternating (warm-up first), as in scenario 2
    /// and with its sizes: events per second and server CPU per event, each repetition giving one ratio.
    /// </summary>
    public async Task ProviderWireAsync()
    {
        var deltas = sizes.ParallelDeltas;
        await using var upstream = await ProviderUpstream.StartAsync(deltas);
        (string Name, string Key, Dictionary<string, string> Settings, string BaseAddress)[] providers =
        [
            ("OpenAI-compatible", "openai", new()
            {
                ["Agent__Provider"] = "openai",
                ["OpenAI__Endpoint"] = new Uri(upstream.Address, "v1").ToString(),
                ["OpenAI__Model"] = "gpt-4o-mini",
            }, new Uri(upstream.Address, "v1/").ToString()),
            ("Gemini", "gemini", new()
            {
                ["Agent__Provider"] = "gemini",
                ["Gemini__Endpoint"] = upstream.Address.ToString(),
                ["Gemini__ApiKey"] = "bench-key",
                ["Gemini__Model"] = "gemini-2.5-flash",
            }, upstream.Address.ToString()),
        ];
        foreach (var (name, key, settings, baseAddress) in providers)
        {
            await using var service = await startService(new Dictionary<string, string>(Unthrottled(deltas).Concat(settings)));
            await using var baseline = await startBaseline();
            using var serviceHttp = SseClient.CreateHttpClient(service.Address);
            using var baselineHttp = SseClient.CreateHttpClient(baseline.Address);
            var serviceUrl = $"stream/text?prompt={Prompt}";
            var proxyUrl = $"proxy/{key}?upstream={Uri.EscapeDataString(baseAddress)}";
            var serviceRuns = new List<WireRun>();
            var proxyRuns = new List<WireRun>();
            for (var repetition = -1; repetition < sizes.Repetitions; repetition++)
            {
                var s = await WireRunAsync(service, serviceHttp, serviceUrl);
                var p = await WireRunAsync(baseline, baselineHttp, proxyUrl);
                if (repetition < 0) continue; // warm-up: JIT and tiered compilation
                serviceRuns.Add(s);
                proxyRuns.Add(p);
                report($"   {name} wire, repetition {repetition + 1}: service {s.Rate:N0} events/s, {s.CpuPerMillion:0.00} CPU s per million; " +
                       $"bare proxy {p.Rate:N0} events/s, {p.CpuPerMillion:0.00} CPU s per million");
            }

            string Spread(List<WireRun> runs, Func<WireRun, double> figure, string format) =>
                Measurements.Format(Measurements.Spread(runs.Select(figure).ToList()), format);
            string Ratio(Func<WireRun, double> figure, string format) =>
                Measurements.Format(Measurements.Spread(serviceRuns.Zip(proxyRuns, (s, p) => figure(s) / figure(p)).ToList()), format);
            report($"| 11. {name} wire, {sizes.ParallelStreams} streams × {deltas:N0} deltas | service {Spread(serviceRuns, r => r.Rate, "N0")} events/s, " +
                   $"{Spread(serviceRuns, r => r.CpuPerMillion, "0.00")} CPU s per million events; bare proxy {Spread(proxyRuns, r => r.Rate, "N0")} events/s, " +
                   $"{Spread(proxyRuns, r => r.CpuPerMillion, "0.00")} CPU s per million; **events/s ratio {Ratio(r => r.Rate, "P0")}; " +
                   $"CPU per event ratio {Ratio(r => r.CpuPerMillion, "0.00")}×** | ≥ 60 % of the bare proxy; CPU per event ≤ 1.5× |");
        }

        async Task<WireRun> WireRunAsync(ServerProcess server, HttpClient http, string url)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var cpuBefore = server.CpuTime;
            var started = Stopwatch.GetTimestamp();
            var counts = await Task.WhenAll(Enumerable.Range(0, sizes.ParallelStreams).Select(_ => SseClient.ReadAsync(http, url, null, limit.Token)));
            var elapsed = Stopwatch.GetElapsedTime(started);
            // A stream cut short (an error frame, a refused call) would make the rate meaningless.
            if (counts.Any(c => c.Frames < deltas))
                throw new InvalidOperationException($"{url} gave {string.Join(", ", counts.Select(c => c.Frames))} frames for {deltas:N0} deltas a stream.");
            var events = counts.Sum(c => c.Frames);
            return new WireRun(events / elapsed.TotalSeconds, (server.CpuTime - cpuBefore).TotalSeconds / (events / 1e6));
        }
    }

    private sealed record WireRun(double Rate, double CpuPerMillion);
}
