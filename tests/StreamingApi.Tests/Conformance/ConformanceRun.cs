using System.Diagnostics;
using System.Text.Json;

namespace StreamingApi.Tests.Conformance;

/// <summary>One rule's result for one target, as the suite's JSON report gives it: passed, failed, or skipped (neither).</summary>
public sealed record ConformanceResult(string Rule, string Target, bool Passed, string Evidence, bool Skipped);

/// <summary>
/// The conformance suite (tools/Conformance) run as a user runs it, in a process of its own: <c>dotnet Conformance.dll
/// --url … --json …</c>, built beside the tests. Its exit code, what it printed and its JSON report.
/// </summary>
public sealed record ConformanceRun(int ExitCode, string Output, IReadOnlyList<ConformanceResult> Results)
{
    /// <summary>Every rule the suite checks.</summary>
    public static readonly IReadOnlyList<string> Rules =
    [
        "framing.content-type", "framing.utf8", "framing.lines", "framing.retry", "framing.heartbeats", "order.first", "order.ids",
        "order.done-last", "schema.events", "resume.same-events", "status.204", "status.400", "status.404", "problem-details", "cancel.within-1s",
        "approvals.decide",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IEnumerable<ConformanceResult> Failed => Results.Where(r => !r.Passed && !r.Skipped);

    public IEnumerable<ConformanceResult> Skipped => Results.Where(r => r.Skipped);

    public static async Task<ConformanceRun> AgainstAsync(Uri url)
    {
        var report = Path.Combine(Path.GetTempPath(), $"conformance-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Conformance.dll"), "--url", url.ToString(), "--json", report },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The conformance suite did not finish within 3 minutes:\n{await output}");
        }

        var printed = $"{await output}{await error}";
        try
        {
            var results = File.Exists(report)
                ? JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("results").Deserialize<List<ConformanceResult>>(Json)!
                : [];
            return new ConformanceRun(process.ExitCode, printed, results);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
