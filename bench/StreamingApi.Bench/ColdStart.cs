using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace StreamingApi.Bench;

/// <summary>
/// 13. Cold start: from a fresh server process's start to (a) the first event of its first request and (b) 100
/// concurrent short streams served (started once the first request has ended, all read to their end), for the
/// service published as usual, the service published ReadyToRun, the service published self-contained as one composite
/// ReadyToRun image, and the baseline. The service is published by the scenario itself (<c>dotnet publish -c
/// Release</c>, plain, with <c>PublishReadyToRun</c>, and self-contained with <c>PublishReadyToRunComposite</c>, same
/// runtime identifier), and each publish folder's size is reported. ReadyToRun precompiles the assemblies the project
/// names as start-up's (its <c>ReadyToRunAssembly</c> items), not all of them; the composite precompiles the runtime,
/// ASP.NET Core and every assembly of the service together, and is started by its own executable. Each side gets one
/// fresh process per repetition, the sides alternate, and the first round (one process per side) is a discarded
/// warm-up of this client's own code. The first request is the stream itself, sent every few milliseconds until the port takes it: no health probe
/// comes first. Alongside the wall times, the server's CPU time up to (b) (user plus system, from /proc), a figure
/// that a loaded machine disturbs much less, and the methods the JIT had compiled (read just after, as scenario 3 reads them).
/// </summary>
public sealed class ColdStart(BenchSizes sizes, string root, IReadOnlyDictionary<string, string> settings,
    IReadOnlyDictionary<string, string> runtime, Action<string> report)
{
    private const int Streams = 100;
    private const int Deltas = 20;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private sealed record Side(string Name, string FileName, string Arguments, string Url, Dictionary<string, string> Environment);

    private sealed record Result(double FirstEventMs, double ServedMs, double CpuMs, long JitCompiledMethods);

    public async Task RunAsync()
    {
        var plain = await PublishAsync("plain", readyToRun: false);
        var readyToRun = await PublishAsync("ready-to-run", readyToRun: true);
        var composite = await PublishAsync("composite", readyToRun: true, composite: true);
        report($"   publish folders: plain {plain.MiB:0.0} MiB, ReadyToRun {readyToRun.MiB:0.0} MiB ({readyToRun.MiB / plain.MiB:0.00}×), " +
               $"composite {composite.MiB:0.0} MiB ({composite.MiB / plain.MiB:0.00}×)");

        Side[] sides =
        [
            new("service", "dotnet", $"\"{plain.Dll}\"", "stream/text?prompt=hi", ServiceEnvironment()),
            new("service ReadyToRun", "dotnet", $"\"{readyToRun.Dll}\"", "stream/text?prompt=hi", ServiceEnvironment()),
            new("service composite", Path.ChangeExtension(composite.Dll, null), "", "stream/text?prompt=hi", ServiceEnvironment()),
            // As in every scenario: the baseline is this program started as `baseline-server`, with server GC.
            new("baseline", "dotnet", $"\"{typeof(BaselineServer).Assembly.Location}\" baseline-server", $"baseline?deltas={Deltas}",
                new(runtime) { ["DOTNET_gcServer"] = "1" }),
        ];
        var runs = sides.ToDictionary(s => s.Name, _ => new List<Result>());
        for (var repetition = -1; repetition < sizes.Repetitions; repetition++)
        {
            // Which side goes first rotates, so that none always starts right after another's process has ended.
            var order = Enumerable.Range(0, sides.Length).Select(i => sides[(i + Math.Max(repetition, 0)) % sides.Length]);
            var line = new List<string>();
            foreach (var side in order)
            {
                var result = await MeasureAsync(side);
                line.Add($"{side.Name} first event {result.FirstEventMs:0} ms, {Streams} streams served {result.ServedMs:0} ms, server CPU {result.CpuMs:0} ms, {result.JitCompiledMethods:N0} methods JIT-compiled by then");
                if (repetition >= 0) runs[side.Name].Add(result);
            }
            report($"   cold start, {(repetition < 0 ? "warm-up" : $"repetition {repetition + 1}")}: {string.Join("; ", line)}");
        }

        string Spread(string side, Func<Result, double> figure) => Measurements.Format(Measurements.Spread(runs[side].Select(figure).ToList()), "0");
        string Ratio(string side, Func<Result, double> figure) =>
            Measurements.Format(Measurements.Spread(runs[side].Zip(runs["baseline"], (s, b) => figure(s) / figure(b)).ToList()), "0.00");
        string Describe(string side) =>
            $"first event {Spread(side, r => r.FirstEventMs)} ms, {Streams} streams served {Spread(side, r => r.ServedMs)} ms, server CPU {Spread(side, r => r.CpuMs)} ms";
        string Ratios(string side) =>
            $"first event {Ratio(side, r => r.FirstEventMs)}×, {Streams} streams served {Ratio(side, r => r.ServedMs)}×, server CPU {Ratio(side, r => r.CpuMs)}×";
        report($"| 13. Cold start: process start → first event, → {Streams} concurrent {Deltas}-delta streams served | service: {Describe("service")}; " +
               $"service ReadyToRun: {Describe("service ReadyToRun")}; baseline: {Describe("baseline")}; **service / baseline: {Ratios("service")}**; " +
               $"ReadyToRun / baseline: {Ratios("service ReadyToRun")}; service composite: {Describe("service composite")}; " +
               $"composite / baseline: {Ratios("service composite")}; publish folder {plain.MiB:0.0} MiB, ReadyToRun {readyToRun.MiB:0.0} MiB, " +
               $"composite {composite.MiB:0.0} MiB | ≤ 1.5× |");
    }

    /// <summary>The service's settings as every scenario has them, the offline model unpaced, and <c>--set</c>'s on top.</summary>
    private Dictionary<string, string> ServiceEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Warning",
            ["OfflineModel__Reasoning"] = "false",
            ["OfflineModel__TokensPerSecond"] = "0",
            ["OfflineModel__FirstTokenDelayMs"] = "0",
            ["OfflineModel__FixedDeltaCount"] = Deltas.ToString(CultureInfo.InvariantCulture),
            ["RateLimits__RunsPerMinute"] = "100000000",
            ["RateLimits__ConcurrentRuns"] = "1000000",
            ["RateLimits__MaxActiveRuns"] = "1000000",
        };
        foreach (var (name, value) in settings) environment[name] = value;
        return environment;
    }

    /// <summary>
    /// Publishes the service (Release, this machine's runtime identifier; framework-dependent, or self-contained as a
    /// <paramref name="composite"/> image) into the bench's bin folder.
    /// </summary>
    private async Task<(string Dll, double MiB)> PublishAsync(string name, bool readyToRun, bool composite = false)
    {
        var output = Path.Combine(root, "bench", "StreamingApi.Bench", "bin", "cold-start", name);
        // A fresh folder: publish copies a package's assembly only when it is newer than the one already there, so an
        // assembly precompiled by an earlier publish would stay, and be counted, after the project stopped asking for it.
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        // And intermediate files of its own: the ReadyToRun step reuses what it compiled before when its inputs have not
        // changed, and an assembly compiled as part of a composite image is a stub that cannot run without it.
        var intermediate = Path.Combine(root, "bench", "StreamingApi.Bench", "obj", "cold-start", name) + Path.DirectorySeparatorChar;
        if (Directory.Exists(intermediate)) Directory.Delete(intermediate, recursive: true);
        var start = new ProcessStartInfo("dotnet",
            ["publish", Path.Combine(root, "src", "StreamingApi"), "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier,
             "--self-contained", composite ? "true" : "false", $"-p:PublishReadyToRun={readyToRun}", $"-p:PublishReadyToRunComposite={composite}",
             $"-p:IntermediateOutputPath={intermediate}", "-o", output, "--nologo", "-v", "quiet"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var publish = Process.Start(start)!;
        var printed = Task.WhenAll(publish.StandardOutput.ReadToEndAsync(), publish.StandardError.ReadToEndAsync());
        await publish.WaitForExitAsync();
        var text = await printed;
        if (publish.ExitCode != 0)
            throw new InvalidOperationException($"Scenario 13: dotnet publish ({name}) exited with {publish.ExitCode}:\n{string.Join("\n", text)}");
        var bytes = new DirectoryInfo(output).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        return (Path.Combine(output, "StreamingApi.dll"), bytes / 1048576.0);
    }

    /// <summary>One fresh process of <paramref name="side"/>: started, asked for one stream then for 100 at once, stopped.</summary>
    private async Task<Result> MeasureAsync(Side side)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = SseClient.CreateHttpClient(address);
        using var limit = new CancellationTokenSource(Limit);
        var start = new ProcessStartInfo(side.FileName, side.Arguments)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in side.Environment) start.Environment[name] = value;

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  [server] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // (a) The first request: sent again every 5 ms while the port refuses it.
            var first = double.NaN;
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"Scenario 13: {side.Name} exited with {process.ExitCode} before it answered.");
                try
                {
                    var (frames, _) = await SseClient.ReadAsync(http, side.Url, _ =>
                    {
                        if (double.IsNaN(first)) first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        return true;
                    }, limit.Token);
                    Check(side, frames);
                    break;
                }
                catch (HttpRequestException exception) when (exception.StatusCode is null && double.IsNaN(first))
                {
                    await Task.Delay(5, limit.Token);
                }
            }

            // (b) 100 streams at once, each read to its end.
            var counts = await Task.WhenAll(Enumerable.Range(0, Streams).Select(_ => SseClient.ReadAsync(http, side.Url, null, limit.Token)));
            var served = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            foreach (var (frames, _) in counts) Check(side, frames);
            var cpu = CpuMilliseconds(process.Id);
            var jit = await RuntimeFigures.ReadAsync(http, isService: side.Url.StartsWith("stream/", StringComparison.Ordinal));
            return new Result(first, served, cpu, jit.JitCompiledMethods);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    /// <summary>A stream that ended short of its deltas would make the figure meaningless.</summary>
    private static void Check(Side side, long frames)
    {
        if (frames < Deltas)
            throw new InvalidOperationException($"Scenario 13: a {side.Name} stream ended after {frames} frames, fewer than its {Deltas} deltas.");
    }

    /// <summary>User plus system CPU time of the process so far (fields 14 and 15 of /proc/PID/stat, at 100 ticks a second).</summary>
    private static double CpuMilliseconds(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
