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
    /// The <c>gen_ai.client.*</c> metrics for every model call, traced or not. Off, they count the calls of recorded
    /// (sampled) traces only: measuring a streamed call keeps each of its updates until it ends.
    /// </summary>
    public bool ModelMetrics { get; set; }

    /// <summary>
    /// Where the console page links a run's trace, with <c>{traceId}</c> for the trace's id, e.g.
    /// <c>http://localhost:16686/trace/{traceId}</c> (Jaeger). No link when unset.
    /// </summary>
    public string? TraceUrlTemplate { get; set; }
}
