using StreamingApi.Bench;

// `baseline-server` is this program started by itself as the baseline's server process.
if (args is ["baseline-server", ..]) return BaselineServer.Run(args[1..]);
// `provider-upstream` is this program started by itself as scenario 11's model provider on loopback.
if (args is ["provider-upstream", ..]) return ProviderUpstream.Run(args[1..]);
// `hold` and `allocations` help profile a server you started yourself (bench/README.md, "What a held stream keeps").
if (args is ["hold", ..]) return await HeldForProfiling.RunAsync(args[1..]);
if (args is ["allocations", ..]) return AllocationReport.Run(args[1..]);

var smoke = args.Contains("--smoke");
var only = args.SkipWhile(a => a != "--scenario").Skip(1).FirstOrDefault();
var sizes = smoke ? BenchSizes.Smoke : BenchSizes.Full;
if (args.SkipWhile(a => a != "--held").Skip(1).FirstOrDefault() is { } held) sizes = sizes with { HeldStreams = int.Parse(held) };
if (args.Contains("--once")) sizes = sizes with { Repetitions = 1 };
// --repetitions N: more repetitions where one run's noise is wide (a cold start is a few hundred milliseconds).
if (args.SkipWhile(a => a != "--repetitions").Skip(1).FirstOrDefault() is { } repetitions) sizes = sizes with { Repetitions = int.Parse(repetitions) };
// --pace N: the held streams' tokens a second (scenario 3), e.g. 1 for streams that mostly wait.
if (args.SkipWhile(a => a != "--pace").Skip(1).FirstOrDefault() is { } pace)
    sizes = sizes with { HeldTokensPerSecond = double.Parse(pace, System.Globalization.CultureInfo.InvariantCulture) };
// --sizes 1000,2000: the cost curve's held streams (scenario 12), e.g. small ones for a quick try.
if (args.SkipWhile(a => a != "--sizes").Skip(1).FirstOrDefault() is { } curve)
    sizes = sizes with { CurveSizes = curve.Split(',').Select(int.Parse).ToArray() };
// --http2: scenario 12's servers speak HTTP/2 only (h2c) and its clients multiplex the streams on few connections.
var http2 = args.Contains("--http2");
if (http2 && only != "12") throw new ArgumentException("--http2 is an option of scenario 12: pass --scenario 12 with it.");
// --set Key=Value (repeatable): a setting for the service in every scenario, e.g. --set Runs__ReplayWindow=256.
var settings = Pairs("--set");
// --runtime Key=Value (repeatable): a setting of the .NET runtime for the service and the baseline alike, so that a runtime
// knob is measured like for like, e.g. --runtime DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0.
var runtime = Pairs("--runtime");
foreach (var (name, value) in runtime) settings[name] = value;
var root = RepositoryRoot();
var serviceDll = Path.Combine(root, "src", "StreamingApi", "bin", "Release", "net10.0", "StreamingApi.dll");
if (!File.Exists(serviceDll))
    throw new FileNotFoundException($"Build the service first: dotnet build -c Release src/StreamingApi ({serviceDll} is missing).");

Console.WriteLine($"StreamingApi bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
                  $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0:0} GiB, .NET {Environment.Version}, {(smoke ? "smoke sizes" : "full sizes")}");
Console.WriteLine("Median (min – max) of the repetitions.");
Console.WriteLine();
Console.WriteLine("| scenario | measured | target |");
Console.WriteLine("|---|---|---|");

var scenarios = new Scenarios(sizes,
    environment => ServerProcess.StartAsync("dotnet", serviceDll, root, new Dictionary<string, string>(environment.Where(e => !settings.ContainsKey(e.Key)).Concat(settings))
    {
        ["Serilog__MinimumLevel__Default"] = "Warning",
        ["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Warning",
        // The scenarios time text deltas against the baseline's text frames: the offline model does not think first.
        ["OfflineModel__Reasoning"] = "false",
        ["Tools__SalesDelayMs"] = environment.GetValueOrDefault("Tools__SalesDelayMs", "0"),
        ["Tools__CustomerDelayMs"] = environment.GetValueOrDefault("Tools__CustomerDelayMs", "0"),
        // Every client of the bench is one address: the per-caller limits are lifted (scenario 8 sets its own).
        ["RateLimits__RunsPerMinute"] = environment.GetValueOrDefault("RateLimits__RunsPerMinute", "100000000"),
        ["RateLimits__ConcurrentRuns"] = environment.GetValueOrDefault("RateLimits__ConcurrentRuns", "1000000"),
        ["RateLimits__MaxActiveRuns"] = environment.GetValueOrDefault("RateLimits__MaxActiveRuns", "1000000"),
    }, http2),
    // The baseline runs in this program's process, whose client side uses workstation GC; as a server it gets the server
    // GC that every ASP.NET Core app (the service among them) has by default, so that both sides run the same stack.
    () => ServerProcess.StartAsync("dotnet", $"{typeof(BaselineServer).Assembly.Location} baseline-server", root,
        new Dictionary<string, string>(runtime) { ["DOTNET_gcServer"] = "1" }, http2),
    line => Console.WriteLine(line))
{
    OutputDirectory = Path.Combine(root, "bench"),
    Http2 = http2,
};

var all = new (string Key, Func<Task> Run)[]
{
    ("1", scenarios.ThroughputAsync), ("2", scenarios.ParallelThroughputAsync), ("3", scenarios.HeldStreamsAsync),
    ("4", scenarios.CancellationAsync), ("5", scenarios.BufferedVersusPlainAsync), ("6", scenarios.StalledReadersAsync),
    ("7", scenarios.RedisAsync), ("8", async () =>
    {
        await scenarios.StreamStartsAsync();
        await scenarios.AbandonedStreamsAsync();
    }), ("9", scenarios.TelemetryCostAsync), ("10", scenarios.WaitingRunsAsync),
    ("11", scenarios.ProviderWireAsync), ("12", scenarios.CostCurveAsync),
    ("13", new ColdStart(sizes, root, settings, runtime, line => Console.WriteLine(line)).RunAsync),
};
foreach (var (key, run) in all.Where(s => only is null || s.Key == only)) await run();
return 0;

Dictionary<string, string> Pairs(string option) => args.Select((arg, i) => (arg, i)).Where(a => a.arg == option && a.i + 1 < args.Length)
    .Select(a => args[a.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        if (File.Exists(Path.Combine(directory.FullName, "StreamingApi.sln"))) return directory.FullName;
    throw new InvalidOperationException("StreamingApi.sln not found above the bench.");
}
