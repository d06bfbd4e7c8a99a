using Microsoft.Extensions.Options;

namespace StreamingApi.Observability;

/// <summary><c>GET /telemetry</c>: what a client needs to link a run to its trace (the page reads it once).</summary>
public static class TelemetryEndpoints
{
    /// <summary>The body of <c>GET /telemetry</c>.</summary>
    /// <param name="TraceUrlTemplate">A run's trace, with <c>{traceId}</c> for the id the <c>run</c> event gives; null when none is set.</param>
    public sealed record TelemetryLinks(string? TraceUrlTemplate);

    public static IEndpointRouteBuilder MapTelemetry(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/telemetry", (IOptions<TelemetryOptions> options) =>
                TypedResults.Ok(new TelemetryLinks(string.IsNullOrWhiteSpace(options.Value.TraceUrlTemplate) ? null : options.Value.TraceUrlTemplate)))
            .WithTags("Telemetry")
            .WithName("GetTelemetry")
            .WithSummary("Where a run's trace can be seen: Telemetry:TraceUrlTemplate, with {traceId} for the run event's traceId.");
        return routes;
    }
}
