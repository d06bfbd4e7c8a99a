using System.Runtime.CompilerServices;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace StreamingApi.Observability;

public static class TracingExtensions
{
    /// <summary>The service's name in traces and metrics unless <c>OTEL_SERVICE_NAME</c> (or <c>OTEL_RESOURCE_ATTRIBUTES</c>) names it.</summary>
    public const string DefaultServiceName = "streamingapi";

    /// <summary>
    /// Traces of runs (<see cref="RunTracing"/>), of the model and tool calls below them, of HTTP requests and of Redis
    /// calls, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the metrics: the exporter reads the
    /// standard <c>OTEL_*</c> variables, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> among them). Without an endpoint no tracer
    /// provider is made: nothing listens to the sources, so no span is even created. The sources and instrumentation
    /// are registered either way, for a tracer provider added later (a test's in-memory exporter).
    /// </summary>
    public static WebApplicationBuilder AddTracing(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration("Telemetry");
        builder.Services.AddSingleton<RedisTracing>();
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            if (!NamesService(configuration)) resource.AddService(DefaultServiceName);
        });
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(RunTracing.SourceName, RunTracing.ModelSourceName)
            // Scrapes and probes are not what anyone looks for in a trace.
            .AddAspNetCoreInstrumentation(options => options.Filter = http =>
                !http.Request.Path.StartsWithSegments("/metrics") && !http.Request.Path.StartsWithSegments("/health"))
            .AddRedisInstrumentation());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) ExportOverOtlp(telemetry);
        return builder;
    }

    /// <summary>A method of its own, so that a start without an OTLP endpoint does not load the exporter's assembly.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExportOverOtlp(IOpenTelemetryBuilder telemetry) => telemetry.UseOtlpExporter();

    private static bool NamesService(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])
        || (configuration["OTEL_RESOURCE_ATTRIBUTES"]?.Contains("service.name=", StringComparison.Ordinal) ?? false);
}
