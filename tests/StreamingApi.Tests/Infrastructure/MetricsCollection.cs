namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// Tests that read <c>/metrics</c> run alone, after the others. The OpenTelemetry SDK listens to meters by name
/// across the whole process, so another test's host in the same process (disposing its meter of the same name, say)
/// could change what this host's Prometheus endpoint shows.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
