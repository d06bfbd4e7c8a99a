using System.Collections.Concurrent;
using System.Diagnostics;

namespace StreamingApi.Bench;

/// <summary>The sizes of one bench run (the full run, or a tiny smoke run).</summary>
public sealed record BenchSizes(int Repetitions, int SingleDeltas, int ParallelStreams, int ParallelDeltas, int HeldStreams,
    int HeldSeconds, double HeldTokensPerSecond, int CancelledStreams, int StalledReaders, int StalledDeltas, int StalledWatchSeconds,
    int RedisHeldStreams, int StreamStarts, int StartingClients, int WaitingRuns)
{
    public static readonly BenchSizes Full = new(3, 200_000, 8, 50_000, 10_000, 30, 20, 1_000, 20, 300_000, 20, 2_000, 20_000, 16, 1_000);
    public static readonly BenchSizes Smoke = new(1, 2_000, 2, 1_000, 50, 2, 20, 20, 2, 50_000, 3, 50, 200, 4, 20) { CurveSizes = [50, 100] };

    /// <summary>The held streams of the cost curve's points (scenario 12); <c>--sizes 1000,2000</c> picks others.</summary>
    public int[] CurveSizes { get; init; } = [1_000, 2_000, 5_000, 10_000, 20_000];
}

/// <summary>The scenarios of bench/README.md. Every loop is bounded in count and time and talks only to 127.0.0.1.</summary>
public sealed partial class Scenarios(BenchSizes sizes, Func<Dictionary<string, string>, Task<ServerProcess>> startService,
    Func<Task<ServerProcess>> startBaseline, Action<string> report)
{
    private const string Prompt = "Explain%20server-sent%20events";

    /// <summary>1. One stream of many deltas, the model unthrottled: events per second, service and baseline.</summary>
    public Task ThroughputAsync() => CompareAsync($"1. Throughput, 1 stream × {sizes.SingleDeltas:N0} deltas", sizes.SingleDeltas, 1);

    /// <summary>2. Several streams at once: total events per second and server CPU seconds per million events.</summary>
    public Task ParallelThroughputAsync() =>
        CompareAsync($"2. Parallel, {sizes.ParallelStreams} streams × {sizes.ParallelDeltas:N0} deltas", sizes.ParallelDeltas, sizes.ParallelStreams);

    /// <summary>
    /// 3. Many streams held open at a realistic pace, against the baseline writing frames at the same pace: first
    /// event, delivery delay, server CPU per event, memory per stream; once with 2,000 streams and once with
    /// <c>--held</c> (10,000) streams.
    /// </summary>
    public async Task HeldStreamsAsync()
    {
        foreach (var count in new[] { Math.Min(2_000, sizes.HeldStreams), sizes.HeldStreams }.Distinct())
        {
            var service = new List<HeldResult>();
            var baseline = new List<HeldResult>();
            for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
            {
                await using (var server = await startService(Paced()))
                    service.Add(await HoldAsync(server, HeldServiceUrl, count, SizesLoad, $"{count:N0} held streams, service, repetition {repetition + 1}"));
                await using (var server = await startBaseline())
                    baseline.Add(await HoldAsync(server, HeldBaselineUrl(SizesLoad), count, SizesLoad,
                        $"{count:N0} held streams, baseline, repetition {repetition + 1}"));
            }
            string Ratio(Func<HeldResult, double> figure) =>
                Measurements.Format(Measurements.Spread(service.Zip(baseline, (s, b) => figure(s) / figure(b)).ToList()), "0.00");
            report($"| 3. Held streams, {count:N0} × {sizes.HeldSeconds} s at {sizes.HeldTokensPerSecond} tokens/s | service: {Describe(service)}; " +
                   $"baseline: {Describe(baseline)}; **ratios service / baseline: CPU per event {Ratio(r => r.CpuSecondsPerMillion)}×, " +
                   $"first event p99 {Ratio(r => r.FirstP99)}×, RSS per stream {Ratio(r => r.PerStreamKiB)}×** | CPU per event ≤ 2×, first event p99 ≤ 1.5×, RSS per stream ≤ 2× |");
        }
    }

    private int HeldDeltas => (int)(sizes.HeldSeconds * sizes.HeldTokensPerSecond);

    /// <summary>
    /// The pace of held streams: <paramref name="Deltas"/> text deltas at <paramref name="TokensPerSecond"/>, the first
    /// after <paramref name="FirstTokenDelay"/> (the service's <c>OfflineModel:FirstTokenDelayMs</c>, the baseline's <c>delayMs</c>).
    /// </summary>
    private sealed record HeldLoad(double TokensPerSecond, int Deltas, TimeSpan FirstTokenDelay)
    {
        /// <summary>When delta <paramref name="index"/> is due, after its run started.</summary>
        public TimeSpan DueAfterStart(int index) => FirstTokenDelay + TimeSpan.FromSeconds(index / TokensPerSecond);

        /// <summary>How long one stream lasts on its schedule.</summary>
        public TimeSpan Length => DueAfterStart(Deltas);
    }

    /// <summary>Scenario 3's (and 7's) load: <c>HeldSeconds</c> at <c>HeldTokensPerSecond</c>, the first token at once.</summary>
    private HeldLoad SizesLoad => new(sizes.HeldTokensPerSecond, HeldDeltas, TimeSpan.Zero);

    private const string HeldServiceUrl = $"stream/text?prompt={Prompt}";

    private static string HeldBaselineUrl(HeldLoad load) =>
        FormattableString.Invariant($"baseline?deltas={load.Deltas}&perSecond={load.TokensPerSecond}&delayMs={(int)load.FirstTokenDelay.TotalMilliseconds}");

    private Dictionary<string, string> Paced(Dictionary<string, string>? more = null) => Paced(SizesLoad, more);

    private static Dictionary<string, string> Paced(HeldLoad load, Dictionary<string, string>? more = null) => new(more ?? [])
    {
        ["OfflineModel__TokensPerSecond"] = load.TokensPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OfflineModel__FirstTokenDelayMs"] = ((int)load.FirstTokenDelay.TotalMilliseconds).ToString(),
        ["OfflineModel__FixedDeltaCount"] = load.Deltas.ToString(),
    };

    /// <summary>
    /// A held stream's first read buffer: a frame of a held stream is a few hundred bytes (the buffer grows for a larger
    /// one), and each of tens of thousands of streams keeps its buffer while it waits for the next.
    /// </summary>
    private const int HeldReadBufferBytes = 2 * 1024;

    /// <summary>How fast held streams are opened: 50 every 20 ms.</summary>
    private const int HeldRampPerSecond = 2_500;

    private sealed record HeldResult(double Completed, double FirstP50, double FirstP99, double DelayP50, double DelayP99, double PeakRssMiB,
        double PerStreamKiB, double CpuSecondsPerMillion);

    /// <summary>
    /// Where in the ramp the slowest 1 % of first events were opened (by tenths of the ramp), and each tenth's median:
    /// a tail in one tenth is a pause (a collection); one that grows along the ramp, a queue.
    /// </summary>
    private static string SlowestFirsts(List<(int Opened, double Ms)> firsts, int count)
    {
        if (firsts.Count == 0) return "no first events";
        int TenthOf(int opened) => Math.Min(9, opened * 10 / Math.Max(1, count));
        var slowest = firsts.OrderByDescending(f => f.Ms).Take(Math.Max(1, firsts.Count / 100)).ToList();
        var where = new int[10];
        foreach (var (opened, _) in slowest) where[TenthOf(opened)]++;
        var medians = Enumerable.Range(0, 10).Select(tenth => firsts.Where(f => TenthOf(f.Opened) == tenth).Select(f => f.Ms).ToArray())
            .Select(ms => ms.Length == 0 ? "-" : Measurements.Percentile(ms, 50).ToString("0"));
        return $"slowest {slowest.Count} first events ({slowest[^1].Ms:0} – {slowest[0].Ms:0} ms) opened in the ramp's tenths " +
               $"[{string.Join(" ", where)}]; first event p50 by tenth [{string.Join(" ", medians)}] ms";
    }

    private static string Describe(IReadOnlyList<HeldResult> runs)
    {
        string Spread(Func<HeldResult, double> figure, string format) => Measurements.Format(Measurements.Spread(runs.Select(figure).ToList()), format);
        return $"completed {Spread(r => r.Completed, "N0")}; first event p50 {Spread(r => r.FirstP50, "0.0")} ms, p99 {Spread(r => r.FirstP99, "0.0")} ms; " +
               $"delivery delay p50 {Spread(r => r.DelayP50, "0.0")} ms, p99 {Spread(r => r.DelayP99, "0.0")} ms; " +
               $"peak RSS {Spread(r => r.PeakRssMiB, "0")} MiB, {Spread(r => r.PerStreamKiB, "0.0")} KiB per stream; " +
               $"server CPU {Spread(r => r.CpuSecondsPerMillion, "0.00")} s per million events";
    }

    /// <summary>One repetition of <paramref name="count"/> streams of <paramref name="url"/> held at once on a fresh server, at scenario 3's pace.</summary>
    private Task<HeldResult> HoldAsync(ServerProcess server, string url, int count, string label) => HoldAsync(server, url, count, SizesLoad, label);

    /// <summary>One repetition of <paramref name="count"/> streams of <paramref name="url"/> held at once on a fresh server, at <paramref name="load"/>'s pace.</summary>
    private async Task<HeldResult> HoldAsync(ServerProcess server, string url, int count, HeldLoad load, string label)
    {
        var deltas = load.Deltas;
        using var http = SseClient.CreateHttpClient(server.Address, server.Http2);
        // Warm-up streams read to their first text only when that text comes late (a first-token delay); the first wave to its end.
        await WarmUpAsync(http, url, load.FirstTokenDelay > TimeSpan.Zero ? 1 : 10, wholeWaves: 2);
        var idle = server.ResidentBytes;
        var peak = idle;
        var isService = IsService(url);
        var runtimeBefore = await RuntimeFigures.ReadAsync(http, isService);
        var serverCpuBefore = server.CpuTime;
        var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wallStart = Stopwatch.GetTimestamp();
        var firsts = new ConcurrentBag<(int Opened, double Ms)>(); // each stream's first event, by its place in the ramp
        var lateness = new ConcurrentBag<double[]>();
        var failures = new ConcurrentDictionary<string, int>();
        var done = 0;
        long frames = 0;
        using var limit = new CancellationTokenSource(load.Length * 4 + TimeSpan.FromSeconds(120));

        var streams = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            streams.Add(HoldOneAsync(i));
            if (i % 50 == 49) await Task.Delay(20); // a smooth ramp, HeldRampPerSecond new streams a second
        }
        // Once the ramp is over every stream is open (a stream lasts longer than the ramp): the connections that hold them.
        var sockets = server.OpenSockets;
        var sampling = Task.Run(async () =>
        {
            while (!streams.All(s => s.IsCompleted) && !limit.IsCancellationRequested)
            {
                peak = Math.Max(peak, server.ResidentBytes);
                await Task.Delay(250);
            }
        });
        await Task.WhenAll(streams);
        await sampling;
        var wall = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
        var serverCpu = (server.CpuTime - serverCpuBefore).TotalSeconds;
        var clientCores = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalSeconds / wall;

        var all = lateness.SelectMany(d => d).ToArray();
        var firstMs = firsts.Select(f => f.Ms).ToArray();
        var result = new HeldResult(done, Measurements.Percentile(firstMs, 50), Measurements.Percentile(firstMs, 99),
            Measurements.Percentile(all, 50), Measurements.Percentile(all, 99), peak / 1048576.0, (peak - idle) / (double)count / 1024,
            serverCpu / (Interlocked.Read(ref frames) / 1e6));
        foreach (var (failure, times) in failures.OrderByDescending(f => f.Value))
            report($"   {times:N0} held streams failed: {failure}");
        report($"   {label}: {SlowestFirsts(firsts.ToList(), count)}");
        var runtimeAfter = await RuntimeFigures.ReadAsync(http, isService);
        var runtime = $"{runtimeAfter.DescribeSince(runtimeBefore)} ({(runtimeAfter.WorkItems - runtimeBefore.WorkItems) / (double)Math.Max(1, Interlocked.Read(ref frames)):0.00} a frame)";
        report($"   {label}: {firsts.Count:N0} got a first event, {done:N0} completed; {sockets?.ToString("N0") ?? "unknown"} server sockets at the ramp's end " +
               $"(HTTP/{(server.Http2 ? "2" : "1.1")}); {runtime}; first event p50 {result.FirstP50:0.0} ms, " +
               $"p99 {result.FirstP99:0.0} ms; delivery delay p50 {result.DelayP50:0.0} ms, p99 {result.DelayP99:0.0} ms; " +
               $"peak RSS {result.PeakRssMiB:0} MiB ({result.PerStreamKiB:0.0} KiB per stream); CPU: server {serverCpu / wall:0.00} cores " +
               $"({result.CpuSecondsPerMillion:0.00} s per million events), this client {clientCores:0.00} cores, over {wall:0} s");
        return result;

        async Task HoldOneAsync(int opened)
        {
            var sent = Stopwatch.GetTimestamp();
            DateTimeOffset startedAt = default;
            var index = 0;
            var own = new double[deltas];
            try
            {
                var (read, _) = await SseClient.ReadAsync(http, url, frame =>
                {
                    switch (SseClient.EventOf(frame))
                    {
                        case "run":
                            firsts.Add((opened, Stopwatch.GetElapsedTime(sent).TotalMilliseconds));
                            startedAt = SseClient.StartedAt(frame);
                            break;
                        case "text" when index < own.Length:
                            // The model's schedule: delta i is due i / pace after the run started.
                            var due = startedAt + load.DueAfterStart(index);
                            own[index++] = (DateTimeOffset.UtcNow - due).TotalMilliseconds;
                            break;
                        case "done":
                            Interlocked.Increment(ref done);
                            break;
                    }
                    return true;
                }, limit.Token, HeldReadBufferBytes);
                Interlocked.Add(ref frames, read);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
            {
                // Counted by kind, not written one by one: at a step too large thousands fail alike.
                failures.AddOrUpdate($"{exception.GetType().Name}: {exception.Message}", 1, (_, times) => times + 1);
            }
            lateness.Add(own[..index]);
        }
    }

    /// <summary>
    /// 4. Streams aborted by their client during a slow tool: from the run being stopped to the tool's token firing,
    /// and no run left. With a detach grace of 0 the run is stopped as the client goes; with the default grace of
    /// 10 s it is stopped when the grace expires, and the latency is counted from then.
    /// </summary>
    public async Task CancellationAsync()
    {
        foreach (var grace in new[] { 0, 10 })
        {
            var p50 = new List<double>();
            var p99 = new List<double>();
            var left = new List<double>();
            for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
            {
                await using var server = await startService(new()
                {
                    ["Tools__SalesDelayMs"] = "600000",
                    ["Tools__CustomerDelayMs"] = "600000",
                    ["OfflineModel__TokensPerSecond"] = "0",
                    ["OfflineModel__FirstTokenDelayMs"] = "0",
                    ["Runs__DetachGraceSeconds"] = grace.ToString(),
                });
                using var http = SseClient.CreateHttpClient(server.Address);
                using var gate = new SemaphoreSlim(50);
                using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                await Task.WhenAll(Enumerable.Range(0, sizes.CancelledStreams).Select(async _ =>
                {
                    await gate.WaitAsync(limit.Token);
                    try
                    {
                        // Read until a tool is running, then go away: the response is disposed and the socket closed.
                        await SseClient.ReadAsync(http, "stream/analysis?prompt=Analyze%20our%202024%20sales", frame => SseClient.EventOf(frame) != "tool-call", limit.Token);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));

                PrometheusScrape metrics;
                var deadline = DateTime.UtcNow.AddSeconds(grace + 30);
                do
                {
                    await Task.Delay(200);
                    metrics = await PrometheusScrape.ReadAsync(http);
                } while (metrics.Sum("streamingapi_runs_active") > 0 && DateTime.UtcNow < deadline);

                p50.Add(metrics.PercentileUpperBound("streamingapi_tool_cancellation_latency_milliseconds", 50));
                p99.Add(metrics.PercentileUpperBound("streamingapi_tool_cancellation_latency_milliseconds", 99));
                left.Add(metrics.Sum("streamingapi_runs_active"));
                report($"   cancellation, grace {grace} s, repetition {repetition + 1}: {metrics.Sum("streamingapi_tool_cancellations_total"):N0} tool tokens fired; " +
                       $"p50 ≤ {p50[^1]} ms, p99 ≤ {p99[^1]} ms; {left[^1]} runs left active");
            }
            report($"| 4. Cancellation, {sizes.CancelledStreams:N0} streams aborted during a slow tool, detach grace {grace} s | " +
                   $"{(grace == 0 ? "abort" : "grace expiry")} → tool token p50 ≤ {Measurements.Format(Measurements.Spread(p50), "0.##")} ms, " +
                   $"p99 ≤ {Measurements.Format(Measurements.Spread(p99), "0.##")} ms; runs left active {Measurements.Format(Measurements.Spread(left), "0")} | p99 < 10 ms, none left |");
        }
    }

    /// <summary>
    /// 6. Clients that connect to very long answers and never read: what they cost the server in memory while the
    /// runs wait for them, and whether the server meanwhile answers others.
    /// </summary>
    public async Task StalledReadersAsync()
    {
        var added = new List<double>();
        var answering = new List<double>();
        for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
        {
            await using var server = await startService(Unthrottled(sizes.StalledDeltas));
            using var http = SseClient.CreateHttpClient(server.Address);
            await WarmUpAsync(http, "stream/text?prompt=warm-up");
            var idle = server.ResidentBytes;
            var peak = idle;
            var sockets = new List<System.Net.Sockets.Socket>();
            try
            {
                for (var i = 0; i < sizes.StalledReaders; i++)
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                    await socket.ConnectAsync(server.Address.Host, server.Address.Port);
                    await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
                        $"GET /stream/text?prompt=stalled-{i} HTTP/1.1\r\nHost: {server.Address.Authority}\r\n\r\n"));
                    sockets.Add(socket); // and never read from it
                }
                // The runs write until the sockets' buffers are full, then wait; watch the memory meanwhile.
                var watchUntil = DateTime.UtcNow.AddSeconds(sizes.StalledWatchSeconds);
                var probe = new List<double>();
                while (DateTime.UtcNow < watchUntil)
                {
                    peak = Math.Max(peak, server.ResidentBytes);
                    var started = Stopwatch.GetTimestamp();
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await SseClient.ReadAsync(http, "stream/text?prompt=still%20there&maxSeconds=5", frame => SseClient.EventOf(frame) != "text", limit.Token);
                    probe.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    await Task.Delay(250);
                }
                added.Add((peak - idle) / 1048576.0);
                answering.Add(Measurements.Percentile(probe, 99));
                report($"   stalled readers, repetition {repetition + 1}: RSS idle {idle / 1048576.0:0} MiB, peak {peak / 1048576.0:0} MiB " +
                       $"(+{added[^1]:0.0} MiB); another client's first text p99 {answering[^1]:0} ms over {probe.Count} tries");
            }
            finally
            {
                foreach (var socket in sockets) socket.Dispose();
            }
        }
        report($"| 6. Stalled readers, {sizes.StalledReaders} clients on {sizes.StalledDeltas:N0}-delta answers that never read, watched {sizes.StalledWatchSeconds} s | " +
               $"RSS added {Measurements.Format(Measurements.Spread(added), "0.0")} MiB; meanwhile another client's first text p99 " +
               $"{Measurements.Format(Measurements.Spread(answering), "0")} ms | < 64 MiB, still answering |");
    }

    /// <summary>5. The same answer plain and buffered: frames and bytes on the wire, and the latency buffering adds.</summary>
    public async Task BufferedVersusPlainAsync()
    {
        await using var server = await startService(new() { ["OfflineModel__TokensPerSecond"] = "40", ["OfflineModel__FirstTokenDelayMs"] = "0" });
        using var http = SseClient.CreateHttpClient(server.Address);
        var plainFrames = new List<double>();
        var bufferedFrames = new List<double>();
        var plainBytes = new List<double>();
        var bufferedBytes = new List<double>();
        var added = new List<double>();
        for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
        {
            var plain = ArrivalsAsync(http, $"stream/text?prompt={Prompt}");
            var buffered = ArrivalsAsync(http, $"stream/buffered?prompt={Prompt}&minChars=50&maxDelayMs=250");
            var (pf, pb, pa) = await plain;
            var (bf, bb, ba) = await buffered;
            if (pa.Count != ba.Count) throw new InvalidOperationException("The buffered text differs from the plain text.");
            plainFrames.Add(pf);
            bufferedFrames.Add(bf);
            plainBytes.Add(pb);
            bufferedBytes.Add(bb);
            var extra = pa.Zip(ba, (p, b) => b - p).ToArray();
            added.Add(Measurements.Percentile(extra, 50));
            added.Add(Measurements.Percentile(extra, 99));
        }
        var half = (int offset) => added.Where((_, i) => i % 2 == offset).ToList();
        report($"| 5. Buffered (minChars 50, maxDelayMs 250) vs plain, one answer at 40 tokens/s | frames {Measurements.Format(Measurements.Spread(bufferedFrames), "0")} vs {Measurements.Format(Measurements.Spread(plainFrames), "0")}, " +
               $"bytes {Measurements.Format(Measurements.Spread(bufferedBytes), "N0")} vs {Measurements.Format(Measurements.Spread(plainBytes), "N0")}; " +
               $"added latency per character p50 {Measurements.Format(Measurements.Spread(half(0)), "0")} ms, p99 {Measurements.Format(Measurements.Spread(half(1)), "0")} ms | — |");

        // When each character arrived, in ms after its run started (by the server's clock, on this same machine).
        static async Task<(long Frames, long Bytes, List<double> Arrivals)> ArrivalsAsync(HttpClient http, string url)
        {
            var arrivals = new List<double>();
            DateTimeOffset startedAt = default;
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var (frames, bytes) = await SseClient.ReadAsync(http, url, frame =>
            {
                var type = SseClient.EventOf(frame);
                if (type == "run") startedAt = SseClient.StartedAt(frame);
                if (type == "text")
                {
                    var at = (DateTimeOffset.UtcNow - startedAt).TotalMilliseconds;
                    arrivals.AddRange(Enumerable.Repeat(at, SseClient.Delta(frame).Length));
                }
                return true;
            }, limit.Token);
            return (frames, bytes, arrivals);
        }
    }

    /// <summary>
    /// 7. Runs kept in Redis (a redis-server the bench starts) beside runs kept in memory, both against the bare
    /// baseline in the same run: throughput with several parallel streams (scenario 2's sizes) as Redis / memory (the
    /// headline: issue 22's target) and each / baseline, held streams at a realistic pace, and what Redis is asked per
    /// event (commands, and round trips: the service's batches).
    /// </summary>
    public async Task RedisAsync()
    {
        if (!RedisProcess.IsInstalled)
        {
            report("| 7. Runs on Redis | skipped: redis-server is not installed (bench/run.sh installs it) | — |");
            return;
        }
        await using var redis = await RedisProcess.StartAsync();
        var onRedis = new Dictionary<string, string> { ["Runs__Store"] = "redis", ["ConnectionStrings__Redis"] = redis.ConnectionString };

        // Throughput: memory, Redis and the baseline up side by side, their runs alternating.
        await using var memoryService = await startService(Unthrottled(sizes.ParallelDeltas));
        await using var redisService = await startService(new Dictionary<string, string>(Unthrottled(sizes.ParallelDeltas))
        {
            ["Runs__Store"] = "redis",
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
        });
        await using var baseline = await startBaseline();
        using var memoryHttp = SseClient.CreateHttpClient(memoryService.Address);
        using var redisHttp = SseClient.CreateHttpClient(redisService.Address);
        using var baselineHttp = SseClient.CreateHttpClient(baseline.Address);
        var memoryRatio = new List<double>();
        var redisRatio = new List<double>();
        var redisToMemory = new List<double>();
        var commandsPerEvent = new List<double>();
        var batchesPerEvent = new List<double>();
        for (var repetition = -1; repetition < sizes.Repetitions; repetition++)
        {
            var m = await RateAsync(memoryHttp, $"stream/text?prompt={Prompt}");
            var commandsBefore = await redis.CommandsProcessedAsync();
            var metricsBefore = await PrometheusScrape.ReadAsync(redisHttp);
            var r = await RateAsync(redisHttp, $"stream/text?prompt={Prompt}");
            // The clients read the owner's memory; Redis is written behind them, and a run ends once its last batch is stored.
            PrometheusScrape metricsAfter;
            do metricsAfter = await PrometheusScrape.ReadAsync(redisHttp);
            while (metricsAfter.Sum("streamingapi_runs_active") > 0);
            var commands = await redis.CommandsProcessedAsync() - commandsBefore;
            var b = await RateAsync(baselineHttp, $"baseline?deltas={sizes.ParallelDeltas}");
            if (repetition < 0) continue; // warm-up
            memoryRatio.Add(m.Rate / b.Rate);
            redisRatio.Add(r.Rate / b.Rate);
            redisToMemory.Add(r.Rate / m.Rate);
            var stored = metricsAfter.Sum("streamingapi_store_events_total") - metricsBefore.Sum("streamingapi_store_events_total");
            commandsPerEvent.Add(commands / Math.Max(1, stored));
            batchesPerEvent.Add((metricsAfter.Sum("streamingapi_store_batches_total") - metricsBefore.Sum("streamingapi_store_batches_total")) / Math.Max(1, stored));
            report($"   redis throughput, repetition {repetition + 1}: memory {m.Rate:N0}, redis {r.Rate:N0}, baseline {b.Rate:N0} events/s; " +
                   $"{commands:N0} Redis commands for {stored:N0} stored events");
        }
        report($"| 7a. Parallel, {sizes.ParallelStreams} streams × {sizes.ParallelDeltas:N0} deltas, runs on Redis | " +
               $"redis / memory {Measurements.Format(Measurements.Spread(redisToMemory), "P0")}; " +
               $"redis / baseline {Measurements.Format(Measurements.Spread(redisRatio), "P0")} (memory / baseline {Measurements.Format(Measurements.Spread(memoryRatio), "P0")}); " +
               $"Redis commands per event {Measurements.Format(Measurements.Spread(commandsPerEvent), "0.000")}, round trips (batches) per event " +
               $"{Measurements.Format(Measurements.Spread(batchesPerEvent), "0.0000")} | redis / memory ≥ 60 %; round trips per event well below 1 |");

        // Held streams: the same load on each store, one repetition after the other.
        var memoryHeld = new List<HeldResult>();
        var redisHeld = new List<HeldResult>();
        var redisCpu = new List<double>(); // the redis-server's CPU seconds over each Redis repetition
        for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
        {
            await using (var server = await startService(Paced()))
                memoryHeld.Add(await HoldAsync(server, $"stream/text?prompt={Prompt}", sizes.RedisHeldStreams, $"held streams in memory, repetition {repetition + 1}"));
            var cpuBefore = redis.ProcessorTime;
            await using (var server = await startService(Paced(onRedis)))
                redisHeld.Add(await HoldAsync(server, $"stream/text?prompt={Prompt}", sizes.RedisHeldStreams, $"held streams on Redis, repetition {repetition + 1}"));
            redisCpu.Add((redis.ProcessorTime - cpuBefore).TotalSeconds);
        }
        report($"| 7b. Held streams on Redis, {sizes.RedisHeldStreams:N0} × {sizes.HeldSeconds} s at {sizes.HeldTokensPerSecond} tokens/s | {Describe(redisHeld)}; " +
               $"redis-server CPU {Measurements.Format(Measurements.Spread(redisCpu), "0.0")} s | — |");
        report($"| 7b. The same in memory, for comparison | {Describe(memoryHeld)} | — |");
        var ratios = redisHeld.Zip(memoryHeld, (onRedis, inMemory) => onRedis.FirstP99 / inMemory.FirstP99).ToList();
        var medians = Measurements.Spread(redisHeld.Select(r => r.FirstP99).ToList()).Median / Measurements.Spread(memoryHeld.Select(r => r.FirstP99).ToList()).Median;
        report($"| 7b. First event p99, Redis / memory | {medians:0.00}× on the medians; per repetition {string.Join(", ", ratios.Select(r => $"{r:0.00}×"))} | ≤ 1.5× |");

        async Task<(double Rate, long Events)> RateAsync(HttpClient http, string url)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var started = Stopwatch.GetTimestamp();
            var counts = await Task.WhenAll(Enumerable.Range(0, sizes.ParallelStreams).Select(_ => SseClient.ReadAsync(http, url, null, limit.Token)));
            var events = counts.Sum(c => c.Frames);
            return (events / Stopwatch.GetElapsedTime(started).TotalSeconds, events);
        }
    }

    /// <summary>
    /// 8. What an API key check and the rate limiter cost per stream start: the same short streams started back to
    /// back by several clients, against (a) a service with authentication off and (b) one that requires an API key
    /// (sent with every request), both with the run limiter in the pipeline sized never to refuse. Both servers are
    /// up side by side and their runs alternate (warm-up first), as in scenarios 1 and 2. Any answer but a 200 with a
    /// whole stream stops the bench: a 401 or a 429 would make the figure meaningless.
    /// </summary>
    public async Task StreamStartsAsync()
    {
        const int deltas = 4;
        const string url = "stream/text?prompt=hi";
        var key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        // Lifted in both: the limiter cannot be taken out of the pipeline, only sized so that it never says no.
        var lifted = new Dictionary<string, string>(Unthrottled(deltas))
        {
            ["RateLimits__RunsPerMinute"] = "10000000",
            ["RateLimits__ConcurrentRuns"] = "100000",
        };
        await using var open = await startService(lifted);
        await using var keyed = await startService(new Dictionary<string, string>(lifted)
        {
            ["Auth__ApiKeys__0__Name"] = "bench",
            ["Auth__ApiKeys__0__Sha256"] = hash,
        });
        using var openHttp = SseClient.CreateHttpClient(open.Address);
        using var keyedHttp = SseClient.CreateHttpClient(keyed.Address);
        keyedHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);

        // The key must be what lets (b)'s streams in: without it, a start is refused.
        using (var bare = SseClient.CreateHttpClient(keyed.Address))
        using (var refused = await bare.GetAsync(url, HttpCompletionOption.ResponseHeadersRead))
            if (refused.StatusCode != System.Net.HttpStatusCode.Unauthorized)
                throw new InvalidOperationException($"Scenario 8: a stream start without the API key was answered {(int)refused.StatusCode}, not 401: authentication is not on.");

        await WarmUpAsync(openHttp, url);
        await WarmUpAsync(keyedHttp, url);
        var openRuns = new List<StartsResult>();
        var keyedRuns = new List<StartsResult>();
        for (var repetition = -1; repetition < sizes.Repetitions; repetition++)
        {
            // Which goes first alternates, so that neither always runs after the other's garbage.
            StartsResult a, b;
            if (repetition % 2 == 0)
            {
                b = await StartAsync(keyed, keyedHttp, "API key");
                a = await StartAsync(open, openHttp, "open");
            }
            else
            {
                a = await StartAsync(open, openHttp, "open");
                b = await StartAsync(keyed, keyedHttp, "API key");
            }
            if (repetition < 0) continue; // warm-up
            openRuns.Add(a);
            keyedRuns.Add(b);
            report($"   stream starts, repetition {repetition + 1}: open {a.PerSecond:N0} starts/s, first event p50 {a.FirstP50:0.00} ms, p99 {a.FirstP99:0.00} ms, " +
                   $"server CPU {a.CpuMsPerStart:0.000} ms per start; API key {b.PerSecond:N0} starts/s, first event p50 {b.FirstP50:0.00} ms, " +
                   $"p99 {b.FirstP99:0.00} ms, server CPU {b.CpuMsPerStart:0.000} ms per start; b / a {b.PerSecond / a.PerSecond:P1}");
        }

        string Spread(List<StartsResult> runs, Func<StartsResult, double> figure, string format) =>
            Measurements.Format(Measurements.Spread(runs.Select(figure).ToList()), format);
        string Ratio(Func<StartsResult, double> figure, string format) =>
            Measurements.Format(Measurements.Spread(keyedRuns.Zip(openRuns, (b, a) => figure(b) / figure(a)).ToList()), format);
        string Describe(List<StartsResult> runs) =>
            $"{Spread(runs, r => r.PerSecond, "N0")} starts/s, first event p50 {Spread(runs, r => r.FirstP50, "0.00")} ms, " +
            $"p99 {Spread(runs, r => r.FirstP99, "0.00")} ms, server CPU {Spread(runs, r => r.CpuMsPerStart, "0.000")} ms per start";
        report($"| 8. Stream starts, {sizes.StreamStarts:N0} × {deltas}-delta streams by {sizes.StartingClients} clients back to back, " +
               $"API key and rate limiter | (a) auth off, limits lifted: {Describe(openRuns)}; (b) API key required and sent, limiter sized never to refuse: " +
               $"{Describe(keyedRuns)}; **b / a: starts/s {Ratio(r => r.PerSecond, "P1")}**, first event p50 {Ratio(r => r.FirstP50, "0.00")}×, " +
               $"p99 {Ratio(r => r.FirstP99, "0.00")}× | starts/s b / a ≥ 95 % (within 5 %) |");

        // One repetition: sizes.StreamStarts streams, each read to its end, by sizes.StartingClients clients that start the next as one ends.
        async Task<StartsResult> StartAsync(ServerProcess server, HttpClient http, string label)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var firsts = new double[sizes.StreamStarts];
            var next = -1;
            var cpuBefore = server.CpuTime;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, sizes.StartingClients).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < firsts.Length)
                {
                    var sent = Stopwatch.GetTimestamp();
                    var first = double.NaN;
                    var done = false;
                    try
                    {
                        await SseClient.ReadAsync(http, url, frame =>
                        {
                            if (double.IsNaN(first)) first = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                            if (SseClient.EventOf(frame) == "done") done = true;
                            return true;
                        }, limit.Token);
                    }
                    catch (HttpRequestException exception) when (exception.StatusCode is not null)
                    {
                        throw new InvalidOperationException($"Scenario 8 ({label}): a stream start was answered {(int)exception.StatusCode}, not 200: " +
                                                            "the figure would be meaningless.", exception);
                    }
                    if (double.IsNaN(first) || !done)
                        throw new InvalidOperationException($"Scenario 8 ({label}): a stream ended without its {(double.IsNaN(first) ? "first event" : "done event")}.");
                    firsts[i] = first;
                }
            })));
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = (server.CpuTime - cpuBefore).TotalMilliseconds;
            return new StartsResult(firsts.Length / elapsed, Measurements.Percentile(firsts, 50), Measurements.Percentile(firsts, 99), cpu / firsts.Length);
        }
    }

    private sealed record StartsResult(double PerSecond, double FirstP50, double FirstP99, double CpuMsPerStart);

    private static Dictionary<string, string> Unthrottled(int deltas) => new()
    {
        ["OfflineModel__TokensPerSecond"] = "0",
        ["OfflineModel__FirstTokenDelayMs"] = "0",
        ["OfflineModel__FixedDeltaCount"] = deltas.ToString(),
    };

    /// <summary>
    /// Service and baseline side by side, both servers up, their runs alternating (warm-up first), so that what
    /// else the machine is doing weighs on both alike; each repetition gives one service / baseline ratio.
    /// </summary>
    private async Task CompareAsync(string name, int deltas, int parallel)
    {
        await using var service = await startService(Unthrottled(deltas));
        await using var baseline = await startBaseline();
        using var serviceHttp = SseClient.CreateHttpClient(service.Address);
        using var baselineHttp = SseClient.CreateHttpClient(baseline.Address);
        var serviceRuns = new List<(double Rate, double Cpu, double Allocated)>();
        var baselineRuns = new List<(double Rate, double Cpu, double Allocated)>();
        var serviceAllocated = async () => (await PrometheusScrape.ReadAsync(serviceHttp)).Sum("dotnet_gc_heap_total_allocated_bytes_total");
        var baselineAllocated = async () => double.Parse(await baselineHttp.GetStringAsync("allocated"), System.Globalization.CultureInfo.InvariantCulture);
        for (var repetition = -1; repetition < sizes.Repetitions; repetition++)
        {
            var s = await StreamsAsync(service, serviceHttp, $"stream/text?prompt={Prompt}", serviceAllocated);
            var b = await StreamsAsync(baseline, baselineHttp, $"baseline?deltas={deltas}", baselineAllocated);
            if (repetition < 0) continue; // warm-up: JIT and tiered compilation
            serviceRuns.Add(s);
            baselineRuns.Add(b);
        }

        var rate = (List<(double Rate, double Cpu, double Allocated)> runs) => Measurements.Spread(runs.Select(r => r.Rate).ToList());
        var cpu = (List<(double Rate, double Cpu, double Allocated)> runs) => Measurements.Spread(runs.Select(r => r.Cpu).ToList());
        var allocated = (List<(double Rate, double Cpu, double Allocated)> runs) => Measurements.Spread(runs.Select(r => r.Allocated).ToList());
        report($"| {name} | service {Measurements.Format(rate(serviceRuns), "N0")} events/s, {Measurements.Format(cpu(serviceRuns), "0.00")} CPU s per million events, " +
               $"{Measurements.Format(allocated(serviceRuns), "0")} B allocated per event; " +
               $"baseline {Measurements.Format(rate(baselineRuns), "N0")} events/s, {Measurements.Format(cpu(baselineRuns), "0.00")} CPU s per million, " +
               $"{Measurements.Format(allocated(baselineRuns), "0")} B per event; " +
               $"throughput ratio {Measurements.Format(Measurements.Spread(serviceRuns.Zip(baselineRuns, (x, y) => x.Rate / y.Rate).ToList()), "P0")}; " +
               $"CPU per event ratio {Measurements.Format(Measurements.Spread(serviceRuns.Zip(baselineRuns, (x, y) => x.Cpu / y.Cpu).ToList()), "0.00")}× | service ≥ 50 % of baseline |");

        async Task<(double Rate, double Cpu, double Allocated)> StreamsAsync(ServerProcess server, HttpClient http, string url, Func<Task<double>> allocatedBytes)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var allocatedBefore = await allocatedBytes();
            var cpuBefore = server.CpuTime;
            var started = Stopwatch.GetTimestamp();
            var counts = await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => SseClient.ReadAsync(http, url, null, limit.Token)));
            var elapsed = Stopwatch.GetElapsedTime(started);
            var events = counts.Sum(c => c.Frames);
            var cpuSeconds = (server.CpuTime - cpuBefore).TotalSeconds;
            return (events / elapsed.TotalSeconds, cpuSeconds / (events / 1e6), (await allocatedBytes() - allocatedBefore) / events);
        }
    }

    /// <summary>
    /// 10. Runs waiting for a person's decision: <see cref="BenchSizes.WaitingRuns"/> background analyses (POST /runs,
    /// the analyst, a prompt that asks to email the report) each stop at send_report's approval-request and wait as a
    /// checkpoint in the run store, with no task. What they cost the server: resident memory and managed heap (after a
    /// collection, before and once every run is waiting), per waiting run, and its threads. Then every run is approved
    /// and must complete.
    /// </summary>
    public async Task WaitingRunsAsync()
    {
        const string prompt = "Analyze our 2024 sales and email the report to cfo@example.com";
        var count = sizes.WaitingRuns;
        var rssPerRun = new List<double>();
        var heapPerRun = new List<double>();
        var threadsAdded = new List<double>();
        var allWaiting = new List<double>();
        var allCompleted = new List<double>();
        WaitingFigures? lastBefore = null, lastAfter = null;
        for (var repetition = 0; repetition < sizes.Repetitions; repetition++)
        {
            await using var server = await startService(new()
            {
                ["OfflineModel__TokensPerSecond"] = "0",
                ["OfflineModel__FirstTokenDelayMs"] = "0",
                ["Runs__ApprovalTimeoutSeconds"] = "3600", // none is denied for lack of a decision while it is measured
                // A gen0 budget of 32 MiB rather than server GC's default (hundreds of MiB here), so that the short streams
                // that bring a collection before each reading (SettledFiguresAsync) are few.
                ["DOTNET_GCgen0size"] = "0x2000000",
            });
            using var http = SseClient.CreateHttpClient(server.Address);
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            // Warm-up: the paths measured (start, wait, approve, complete) compiled first, in three rounds of 50 runs.
            for (var round = 0; round < 3; round++)
            {
                var warm = await StartWaitingAsync(http, prompt, 50, limit.Token);
                await WaitForAllAsync(http, warm, "waiting", limit.Token);
                await ApproveAllAsync(http, warm, limit.Token);
                await WaitForAllAsync(http, warm, "completed", limit.Token);
            }

            var before = await SettledFiguresAsync(server, http, limit.Token);
            var started = Stopwatch.GetTimestamp();
            var runs = await StartWaitingAsync(http, prompt, count, limit.Token);
            await WaitForAllAsync(http, runs, "waiting", limit.Token);
            allWaiting.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            var after = await SettledFiguresAsync(server, http, limit.Token);

            var approving = Stopwatch.GetTimestamp();
            await ApproveAllAsync(http, runs, limit.Token);
            var outcomes = await WaitForAllAsync(http, runs, "completed", limit.Token);
            allCompleted.Add(Stopwatch.GetElapsedTime(approving).TotalSeconds);
            var completed = outcomes.Count(o => o == "completed");
            if (completed != count)
                throw new InvalidOperationException($"Scenario 10: {completed:N0} of {count:N0} approved runs completed; the others ended " +
                                                    string.Join(", ", outcomes.Where(o => o != "completed").GroupBy(o => o).Select(g => $"{g.Key} ({g.Count()})")));

            rssPerRun.Add((after.Rss - before.Rss) / (double)count / 1024);
            heapPerRun.Add((after.Heap - before.Heap) / (double)count / 1024);
            threadsAdded.Add(after.Threads - before.Threads);
            (lastBefore, lastAfter) = (before, after);
            report($"   waiting runs, repetition {repetition + 1}: {count:N0} all waiting {allWaiting[^1]:0.0} s after the first start; " +
                   $"RSS {before.Rss / 1048576.0:0} → {after.Rss / 1048576.0:0} MiB ({rssPerRun[^1]:0.0} KiB per waiting run); managed heap after a collection " +
                   $"{before.Heap / 1048576.0:0.0} → {after.Heap / 1048576.0:0.0} MiB ({heapPerRun[^1]:0.0} KiB per run); threads {before.Threads} → {after.Threads} " +
                   $"(thread pool {before.PoolThreads} → {after.PoolThreads}); approved: {completed:N0} completed {allCompleted[^1]:0.0} s after the first decision");
        }
        string Spread(List<double> figures, string format) => Measurements.Format(Measurements.Spread(figures), format);
        report($"| 10. Waiting runs, {count:N0} analyses at send_report's approval (POST /runs, analyst) | RSS {Spread(rssPerRun, "0.0")} KiB and managed heap " +
               $"{Spread(heapPerRun, "0.0")} KiB per waiting run (last repetition: RSS {lastBefore!.Rss / 1048576.0:0} → {lastAfter!.Rss / 1048576.0:0} MiB, heap " +
               $"{lastBefore.Heap / 1048576.0:0.0} → {lastAfter.Heap / 1048576.0:0.0} MiB); threads added {Spread(threadsAdded, "0")} " +
               $"({lastBefore.Threads} → {lastAfter.Threads}); all waiting {Spread(allWaiting, "0.0")} s after the first start; approved, all {count:N0} completed " +
               $"{Spread(allCompleted, "0.0")} s after the first decision | a waiting run holds no thread (threads flat); every approved run completes |");
    }

    /// <summary>A server's memory and threads: resident set, managed heap after its last collection, OS threads, thread-pool threads.</summary>
    private sealed record WaitingFigures(long Rss, double Heap, long Threads, double PoolThreads);

    /// <summary>
    /// The figures once a garbage collection has run since now, so that the heap's size is today's: short streams are
    /// read (their allocations bring the collection) until the server's collection count moves.
    /// </summary>
    private static async Task<WaitingFigures> SettledFiguresAsync(ServerProcess server, HttpClient http, CancellationToken cancellationToken)
    {
        var collections = (await PrometheusScrape.ReadAsync(http)).Sum("dotnet_gc_collections_total");
        var giveUp = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        var collected = false;
        while (!collected && Stopwatch.GetTimestamp() < giveUp)
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SseClient.ReadAsync(http, "stream/text?prompt=settle", null, cancellationToken)));
            collected = (await PrometheusScrape.ReadAsync(http)).Sum("dotnet_gc_collections_total") > collections;
        }
        if (!collected) throw new InvalidOperationException("Scenario 9: no garbage collection within 60 s of short streams: the heap's size would be stale.");
        // The settling streams gone (streamingapi.runs.active counts the waiting runs too, under endpoint "runs").
        do await Task.Delay(200, cancellationToken);
        while ((await PrometheusScrape.ReadAsync(http)).Sum("streamingapi_runs_active", "text") > 0);
        var metrics = await PrometheusScrape.ReadAsync(http);
        var threads = long.Parse(File.ReadLines($"/proc/{server.Pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]);
        return new WaitingFigures(server.ResidentBytes, metrics.Sum("dotnet_gc_last_collection_heap_size_bytes"), threads,
            metrics.Sum("dotnet_thread_pool_thread_count_total"));
    }

    /// <summary>A run the scenario started, and the approval it waits for once it waits.</summary>
    private sealed class WaitingRun(string runId)
    {
        public string RunId { get; } = runId;

        public string? ApprovalId { get; set; }
    }

    /// <summary>Starts <paramref name="count"/> background runs of the analyst (50 requests at a time).</summary>
    private static async Task<List<WaitingRun>> StartWaitingAsync(HttpClient http, string prompt, int count, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(50);
        var runs = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                using var response = await http.PostAsync("runs", System.Net.Http.Json.JsonContent.Create(new { agent = "analyst", prompt }), cancellationToken);
                if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
                    throw new InvalidOperationException($"Scenario 9: POST /runs answered {(int)response.StatusCode}, not 202: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                return new WaitingRun(body.RootElement.GetProperty("runId").GetString()!);
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. runs];
    }

    /// <summary>
    /// Reads every run's record (GET /runs/{runId}) until each has left the statuses on the way to <paramref name="status"/>
    /// (running; waiting, when completed is wanted): the status each ended at. A waiting run's approval id is kept.
    /// </summary>
    private static async Task<string[]> WaitForAllAsync(HttpClient http, List<WaitingRun> runs, string status, CancellationToken cancellationToken)
    {
        var statuses = new string?[runs.Count];
        var passing = status == "waiting" ? new[] { "running" } : ["running", "waiting"];
        using var gate = new SemaphoreSlim(50);
        while (true)
        {
            await Task.WhenAll(runs.Select(async (run, i) =>
            {
                if (statuses[i] is { } seen && !passing.Contains(seen)) return;
                await gate.WaitAsync(cancellationToken);
                try
                {
                    using var record = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"runs/{run.RunId}", cancellationToken));
                    statuses[i] = record.RootElement.GetProperty("status").GetString();
                    if (statuses[i] == "waiting" && run.ApprovalId is null)
                        run.ApprovalId = record.RootElement.GetProperty("output").GetProperty("toolCalls").EnumerateArray()
                            .Select(call => call.GetProperty("approval"))
                            .Last(approval => approval.ValueKind == System.Text.Json.JsonValueKind.Object).GetProperty("approvalId").GetString();
                }
                finally
                {
                    gate.Release();
                }
            }));
            if (statuses.All(s => s is not null && !passing.Contains(s))) break;
            await Task.Delay(250, cancellationToken);
        }
        if (status == "waiting" && statuses.FirstOrDefault(s => s != "waiting") is { } other)
            throw new InvalidOperationException($"Scenario 9: a run ended ({other}) instead of waiting for its approval.");
        return statuses!;
    }

    /// <summary>Approves every run's approval (50 decisions at a time); each must be answered 200.</summary>
    private static async Task ApproveAllAsync(HttpClient http, List<WaitingRun> runs, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(50);
        await Task.WhenAll(runs.Select(async run =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                using var response = await http.PostAsync($"runs/{run.RunId}/approvals/{Uri.EscapeDataString(run.ApprovalId!)}",
                    System.Net.Http.Json.JsonContent.Create(new { approved = true }), cancellationToken);
                if (response.StatusCode != System.Net.HttpStatusCode.OK)
                    throw new InvalidOperationException($"Scenario 9: approving run {run.RunId} answered {(int)response.StatusCode}, not 200.");
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>
    /// JIT and tiered compilation first, so that what is measured is the server's steady state: waves of 100 streams
    /// read to their tenth text frame (<paramref name="texts"/>) and let go, until a wave leaves the JIT with almost nothing more to compile.
    /// Tiered compilation promotes a method only once it has been called often after the JIT went quiet, and a
    /// server with more code (the service) needs more waves for it than one with less (the baseline): a fixed
    /// number of waves left the service compiling hundreds of methods during the measurement.
    /// With <paramref name="wholeWaves"/> the first waves' streams are read to their end, so that a stream's end (its
    /// last frames, the run's completion) is compiled too: held streams all end in the measurement, and otherwise both
    /// sides compiled their ends there (570 and 388 methods in a run of 1,000 streams at 1 token a second). Two such
    /// waves, because a stream's end comes to all of a wave's streams at once, just after the JIT compiled it for the
    /// first of them: tiered compilation counts its calls only from the next wave on, and promotes it there.
    /// </summary>
    private async Task WarmUpAsync(HttpClient http, string url, int texts = 10, int wholeWaves = 0)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var isService = IsService(url);
        var compiled = (await RuntimeFigures.ReadAsync(http, isService)).JitCompiledMethods;
        for (var wave = 1; ; wave++)
        {
            await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
            {
                var read = 0;
                var whole = wave <= wholeWaves;
                await SseClient.ReadAsync(http, url, frame => whole || SseClient.EventOf(frame) != "text" || ++read < texts, limit.Token);
            }));
            await Task.Delay(500, limit.Token); // the JIT's background recompilation of what the wave made hot
            var now = (await RuntimeFigures.ReadAsync(http, isService)).JitCompiledMethods;
            var lastWave = now - compiled;
            compiled = now;
            if (wave >= 3 && lastWave <= QuietWave) break;
            if (wave == MaxWarmUpWaves)
            {
                report($"   the warm-up's JIT did not settle after {wave} waves ({lastWave} methods compiled in the last)");
                break;
            }
        }
        if (!isService) return; // the baseline has no runs to wait for
        do await Task.Delay(200, limit.Token);
        while ((await PrometheusScrape.ReadAsync(http)).Sum("streamingapi_runs_active") > 0);
    }

    /// <summary>True for the service's URLs (its streams); the baseline's is <c>baseline?…</c>.</summary>
    private static bool IsService(string url) => url.StartsWith("stream/", StringComparison.Ordinal);

    /// <summary>A wave after which the JIT compiled at most this many methods left it settled.</summary>
    private const int QuietWave = 25;

    private const int MaxWarmUpWaves = 25;
}
