using System.Diagnostics;

namespace StreamingApi.Bench;

public sealed partial class Scenarios
{
    /// <summary>
    /// 8b. Abandoned streams: clients that leave after the first frame (the run's <c>run</c> event, the baseline's start
    /// frame), as fast as <see cref="BenchSizes.StartingClients"/> clients can start them back to back, against the
    /// service and the baseline up side by side, their runs alternating (warm-up first), as in scenario 8. The streams
    /// would last 1.5 s (30 tokens at 20 a second). Once with a detach grace of 0 (every abandoned run is stopped at
    /// once) and once with the default 10 s (the run goes on and completes, unread). For the service, the exceptions
    /// its runtime counted (<c>dotnet.exceptions</c>) per abandoned stream: a client that leaves should throw none. On a
    /// busy machine starts per second say little; what each start costs the server says more: its CPU per start (each
    /// side's, the service's until its abandoned runs have ended) and the service's bytes allocated per start.
    /// </summary>
    public async Task AbandonedStreamsAsync()
    {
        const int deltas = 30;
        const double pace = 20;
        var load = new HeldLoad(pace, deltas, TimeSpan.Zero);
        foreach (var grace in new[] { 0, 10 })
        {
            await using var service = await startService(Paced(load, new()
            {
                ["RateLimits__RunsPerMinute"] = "10000000",
                ["RateLimits__ConcurrentRuns"] = "100000",
                ["Runs__DetachGraceSeconds"] = grace.ToString(),
            }));
            await using var baseline = await startBaseline();
            using var serviceHttp = LeavingClient(service.Address);
            using var baselineHttp = LeavingClient(baseline.Address);
            var baselineUrl = HeldBaselineUrl(load);
            await WarmUpAsync(serviceHttp, HeldServiceUrl);
            await WarmUpAsync(baselineHttp, baselineUrl);
            var serviceRuns = new List<(double PerSecond, double ExceptionsPerStart, double CpuMsPerStart, double KiBPerStart)>();
            var baselineRuns = new List<(double PerSecond, double CpuMsPerStart)>();
            for (var repetition = -1; repetition < sizes.Repetitions; repetition++)
            {
                var before = await PrometheusScrape.ReadAsync(serviceHttp);
                var serviceCpuBefore = service.CpuTime;
                double s, b, baselineCpuMs;
                if (repetition % 2 == 0)
                {
                    (b, baselineCpuMs) = await AbandonOnAsync(baseline, baselineHttp, baselineUrl);
                    s = await AbandonAsync(serviceHttp, HeldServiceUrl);
                }
                else
                {
                    s = await AbandonAsync(serviceHttp, HeldServiceUrl);
                    (b, baselineCpuMs) = await AbandonOnAsync(baseline, baselineHttp, baselineUrl);
                }
                // The abandoned runs end (at once, or once their grace is out or they complete) before their exceptions are counted.
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(grace + 60));
                do await Task.Delay(200, limit.Token);
                while ((await PrometheusScrape.ReadAsync(serviceHttp)).Sum("streamingapi_runs_active") > 0);
                var after = await PrometheusScrape.ReadAsync(serviceHttp);
                // The service's CPU while the baseline ran is little next to its own starts', and counted alike each repetition.
                var serviceCpuMs = (service.CpuTime - serviceCpuBefore).TotalMilliseconds / sizes.StreamStarts;
                var exceptions = (after.Sum("dotnet_exceptions_total") - before.Sum("dotnet_exceptions_total")) / sizes.StreamStarts;
                var kib = (after.Sum("dotnet_gc_heap_total_allocated_bytes_total") - before.Sum("dotnet_gc_heap_total_allocated_bytes_total")) / 1024 / sizes.StreamStarts;
                if (repetition < 0) continue; // warm-up
                serviceRuns.Add((s, exceptions, serviceCpuMs, kib));
                baselineRuns.Add((b, baselineCpuMs));
                report($"   abandoned streams, grace {grace} s, repetition {repetition + 1}: service {s:N0} starts/s, {exceptions:0.00} exceptions " +
                       $"per abandoned stream, CPU {serviceCpuMs:0.000} ms and {kib:0.0} KiB allocated per start; baseline {b:N0} starts/s, " +
                       $"CPU {baselineCpuMs:0.000} ms per start; service / baseline {s / b:P1}");
            }
            string Spread(IEnumerable<double> figures, string format) => Measurements.Format(Measurements.Spread(figures.ToList()), format);
            report($"| 8b. Abandoned streams, {sizes.StreamStarts:N0} clients' streams left after the first frame by {sizes.StartingClients} clients back to back, " +
                   $"detach grace {grace} s | service {Spread(serviceRuns.Select(r => r.PerSecond), "N0")} starts/s, " +
                   $"{Spread(serviceRuns.Select(r => r.ExceptionsPerStart), "0.00")} exceptions per abandoned stream, " +
                   $"CPU {Spread(serviceRuns.Select(r => r.CpuMsPerStart), "0.000")} ms and {Spread(serviceRuns.Select(r => r.KiBPerStart), "0.0")} KiB allocated per start; " +
                   $"baseline {Spread(baselineRuns.Select(r => r.PerSecond), "N0")} starts/s, CPU {Spread(baselineRuns.Select(r => r.CpuMsPerStart), "0.000")} ms per start; " +
                   $"**service / baseline: starts/s {Spread(serviceRuns.Zip(baselineRuns, (s, b) => s.PerSecond / b.PerSecond), "P1")}, " +
                   $"CPU per start {Spread(serviceRuns.Zip(baselineRuns, (s, b) => s.CpuMsPerStart / b.CpuMsPerStart), "0.00")}×** | starts/s ≥ 80 % of the baseline's, no exception per abandoned stream |");
        }

        // A client whose response, disposed before its end, closes its connection: by default the handler would read
        // the rest of the stream (up to 1 MiB, for 2 s) to reuse the connection, and the server would see no one leave.
        static HttpClient LeavingClient(Uri address) => new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            MaxResponseDrainSize = 0,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        {
            BaseAddress = address,
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // The baseline's starts a second, and its CPU per start.
        async Task<(double PerSecond, double CpuMsPerStart)> AbandonOnAsync(ServerProcess server, HttpClient http, string url)
        {
            var cpuBefore = server.CpuTime;
            var perSecond = await AbandonAsync(http, url);
            return (perSecond, (server.CpuTime - cpuBefore).TotalMilliseconds / sizes.StreamStarts);
        }

        // sizes.StreamStarts streams, each left after its first frame, by sizes.StartingClients clients that start the next at once: starts a second.
        async Task<double> AbandonAsync(HttpClient http, string url)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var next = -1;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, sizes.StartingClients).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < sizes.StreamStarts)
                {
                    var frames = 0;
                    await SseClient.ReadAsync(http, url, _ => ++frames < 1, limit.Token); // the response is disposed after the first frame
                    if (frames == 0) throw new InvalidOperationException($"Scenario 8b: a stream of {url} ended before its first frame.");
                }
            })));
            return sizes.StreamStarts / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
    }
}
