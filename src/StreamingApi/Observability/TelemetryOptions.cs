namespace StreamingApi.Observability;

/// <summary>The <c>Telemetry</c> section: what traces may hold, and where the page links a run's trace.</summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// Prompts, answers and tool arguments and results on the model and tool spans (the GenAI conventions' sensitive
    /// data). Off by default: a trace backend is rarely a place for users' text.
    /// </summary>
    public bool RecordContent { get; set; }

    /// <summary>
    /// Every model call through Microsoft.Extensions.AI's OpenTelemetry client, traced or not, which then keeps each
    /// update of a streamed call until it ends. No longer needed for the <c>gen_ai.client.*</c> metrics, which are
    /// recorded for every call either way (<see cref="ModelCallMetrics"/>, and only there); kept so that settings that
    /// name it still bind. Off (the default), that client sees only the calls of recorded (sampled) traces.
    /// </summary>
    public bool ModelMetrics { get; set; }

    /// <summary>
    /// Where the console page links a run's trace, with <c>{traceId}</c> for the trace's id, e.g.
    /// <c>http://localhost:16686/trace/{traceId}</c> (Jaeger). No link when unset.
    /// </summary>
    public string? TraceUrlTemplate { get; set; }
}
