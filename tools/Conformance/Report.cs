using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conformance;

/// <summary>
/// What one rule showed for one target (an endpoint or a request): passed or not, and the evidence. A skipped rule
/// (<paramref name="Skipped"/>; then not <paramref name="Passed"/>) could not be checked on this deployment, and the
/// evidence says why; it is not a failure.
/// </summary>
internal sealed record RuleResult(string Rule, string Target, bool Passed, string Evidence, bool Skipped = false);

internal enum Outcome
{
    Pass,
    Fail,
    Skip,
}

/// <summary>
/// The findings of a run of the suite. A rule is checked on a target several times (on each stream read from it); it
/// passes for that target when every check passed, and the evidence of its failures comes first. A rule with a skipped
/// check and no failed one is skipped.
/// </summary>
internal sealed class Report(Uri url)
{
    private const int EvidenceShown = 3;

    private readonly ConcurrentQueue<(string Rule, string Target, Outcome Outcome, string Evidence, long Order)> _findings = new();
    private readonly ConcurrentDictionary<string, long> _targets = new();
    private long _order;

    public Uri Url { get; } = url;

    /// <summary>Puts <paramref name="target"/> in the table's order now, before checks running side by side report on it.</summary>
    public void Declare(string target) => _targets.GetOrAdd(target, _ => Interlocked.Increment(ref _order));

    public void Check(string rule, string target, bool passed, string evidence) => Add(rule, target, passed ? Outcome.Pass : Outcome.Fail, evidence);

    /// <summary>The rule could not be checked on this deployment (what it needs did not happen); <paramref name="evidence"/> says why.</summary>
    public void Skip(string rule, string target, string evidence) => Add(rule, target, Outcome.Skip, evidence);

    private void Add(string rule, string target, Outcome outcome, string evidence)
    {
        Declare(target);
        _findings.Enqueue((rule, target, outcome, evidence, Interlocked.Increment(ref _order)));
    }

    public void Pass(string rule, string target, string evidence) => Check(rule, target, true, evidence);

    public void Fail(string rule, string target, string evidence) => Check(rule, target, false, evidence);

    /// <summary>One result per rule and target, in the order of <see cref="Rules.All"/>, then of the targets' declaration.</summary>
    public IReadOnlyList<RuleResult> Results() =>
    [
        .. _findings
            .GroupBy(f => (f.Rule, f.Target))
            .OrderBy(g => Rules.Order(g.Key.Rule)).ThenBy(g => _targets[g.Key.Target])
            .Select(g =>
            {
                var failures = g.Where(f => f.Outcome == Outcome.Fail).OrderBy(f => f.Order).ToList();
                var skips = g.Where(f => f.Outcome == Outcome.Skip).OrderBy(f => f.Order).ToList();
                var shown = (failures.Count > 0 ? failures : skips.Count > 0 ? skips : g.OrderBy(f => f.Evidence, StringComparer.Ordinal).ToList())
                    .Select(f => f.Evidence).ToList();
                var evidence = string.Join("; ", shown.Take(EvidenceShown)) + (shown.Count > EvidenceShown ? $"; and {shown.Count - EvidenceShown} more" : "");
                var skipped = failures.Count == 0 && skips.Count > 0;
                return new RuleResult(g.Key.Rule, g.Key.Target, failures.Count == 0 && !skipped, evidence, skipped);
            }),
    ];

    public static string Table(IReadOnlyList<RuleResult> results, int evidenceWidth = 110)
    {
        var ruleWidth = Math.Max(4, results.Select(r => r.Rule.Length).DefaultIfEmpty(0).Max());
        var targetWidth = Math.Max(6, results.Select(r => r.Target.Length).DefaultIfEmpty(0).Max());
        var table = new StringBuilder();
        table.AppendLine($"{"Rule".PadRight(ruleWidth)}  {"Target".PadRight(targetWidth)}  Result  Evidence");
        table.AppendLine($"{new string('-', ruleWidth)}  {new string('-', targetWidth)}  ------  {new string('-', 8)}");
        foreach (var result in results)
        {
            var evidence = result.Evidence.Length > evidenceWidth ? result.Evidence[..(evidenceWidth - 1)] + "…" : result.Evidence;
            table.AppendLine($"{result.Rule.PadRight(ruleWidth)}  {result.Target.PadRight(targetWidth)}  {(result.Passed ? "pass" : result.Skipped ? "skip" : "FAIL"),-6}  {evidence}");
        }
        return table.ToString();
    }

    public static string Json(Uri url, IReadOnlyList<RuleResult> results, TimeSpan elapsed) =>
        JsonSerializer.Serialize(new JsonReport(url.ToString(), !results.Any(Failed), results.Count(r => r.Passed), results.Count(Failed),
            results.Count(r => r.Skipped), (long)elapsed.TotalMilliseconds, results), ReportJson.Default.JsonReport);

    public static bool Failed(RuleResult result) => !result.Passed && !result.Skipped;
}

/// <summary>The JSON report: <c>passed</c> when no rule failed (skipped ones do not count against it).</summary>
internal sealed record JsonReport(string Url, bool Passed, int PassedCount, int FailedCount, int SkippedCount, long ElapsedMs, IReadOnlyList<RuleResult> Results);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class ReportJson : JsonSerializerContext;
