namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// For tests that read <c>/metrics</c>. OpenTelemetry's meter provider listens to every meter named
/// <c>StreamingApi</c> in the process and sums same-named instruments, so one test app's Prometheus endpoint also
/// counts the runs of the other test apps (a run active elsewhere keeps <c>streamingapi_runs_active</c> above 0),
/// and another app disposing its meter of that name can silence this one's. These tests run alone, after the parallel ones. Assertions through <c>MetricCollector</c> are scoped to one
/// app's <c>IMeterFactory</c> and need no such care.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "process-wide metrics";
}
