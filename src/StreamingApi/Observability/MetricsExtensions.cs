using OpenTelemetry.Metrics;

namespace StreamingApi.Observability;

public static class MetricsExtensions
{
    private const string RuntimeMeterName = "System.Runtime";
    private const int RuntimeCardinalityLimit = 100;

    /// <summary>
    /// The service's instruments (<see cref="StreamingMetrics"/>) and the model calls' (<c>gen_ai.client.*</c>,
    /// <see cref="ModelCallMetrics"/>) exported for Prometheus at <c>/metrics</c> (and over OTLP with the traces, see
    /// <see cref="TracingExtensions.AddTracing"/>), with histogram buckets fine enough to tell a 1 ms cancellation from
    /// a 10 ms one.
    /// </summary>
    public static IServiceCollection AddServiceMetrics(this IServiceCollection services)
    {
        services.AddSingleton<StreamingMetrics>();
        services.AddSingleton<ModelCallMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(StreamingMetrics.MeterName)
            .AddMeter(RuntimeMeterName) // .NET's own: GC, allocations, thread pool, CPU
            // A stream keeps room for as many tag sets as its cardinality limit from its start: 2,000 by default, some
            // 200 KB per instrument, 4 MB for the runtime's twenty (a cold start's large object heap). Its tags are few
            // (a GC generation, a CPU mode, an exception's type); beyond the limit, points go to the overflow set.
            .AddView(instrument => instrument.Meter.Name == RuntimeMeterName
                ? new MetricStreamConfiguration { CardinalityLimit = RuntimeCardinalityLimit }
                : null)
            // gen_ai.client.token.usage, gen_ai.client.operation.duration and time_to_first_chunk, once per model call
            // (with the conventions' buckets, as the instruments advise). Not the meter of the model's OpenTelemetry
            // client (RunTracing.ModelSourceName), which measures the same calls when it traces them.
            .AddMeter(ModelCallMetrics.MeterName)
            .AddView("streamingapi.tool.cancellation.latency", new ExplicitBucketHistogramConfiguration
            {
                Boundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000],
            })
            .AddView("streamingapi.run.duration", new ExplicitBucketHistogramConfiguration
            {
                Boundaries = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
            })
            .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Prometheus' scrape endpoint, <c>/metrics</c>.</summary>
    public static WebApplication MapServiceMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint().ExcludeFromDescription();
        return app;
    }
}
