using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace StreamingApi.Observability;

/// <summary>
/// The OpenTelemetry GenAI conventions' client metrics, recorded once per model call, for every call (meter
/// <c>StreamingApi.ModelCalls</c>): <c>gen_ai.client.operation.duration</c> when the call ends,
/// <c>gen_ai.client.token.usage</c> (input and output) from the usage the model reports, and
/// <c>gen_ai.client.operation.time_to_first_chunk</c> at a streamed call's first update.
/// </summary>
/// <remarks>
/// These are the only source of those metrics. Microsoft.Extensions.AI's <see cref="OpenTelemetryChatClient"/> would
/// record them too, but it is in a call's way only when someone records the call's span (a sampled run, or
/// <see cref="TelemetryOptions.ModelMetrics"/>), and it keeps every update of a streamed call until the call ends; its
/// meter (<see cref="RunTracing.ModelSourceName"/>) is not exported, so a call it measures is not counted twice. The
/// attributes are that client's: operation, provider, request and response model, server address and port,
/// <c>error.type</c> (the exception's full type name) on a failure, and <c>gen_ai.token.type</c> for the tokens.
/// </remarks>
public sealed class ModelCallMetrics
{
    public const string MeterName = "StreamingApi.ModelCalls";

    // The conventions' advised bucket boundaries.
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly int[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _tokens;
    private readonly Histogram<double> _timeToFirstChunk;

    public ModelCallMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram("gen_ai.client.operation.duration", "s", "GenAI operation duration.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _tokens = meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Number of input and output tokens used.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets });
        _timeToFirstChunk = meter.CreateHistogram("gen_ai.client.operation.time_to_first_chunk", "s",
            "Time to receive the first chunk of a streamed GenAI response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>Whether anything listens: when nothing does, a call is not even timed.</summary>
    public bool Enabled => _duration.Enabled || _tokens.Enabled || _timeToFirstChunk.Enabled;

    /// <summary>A model call starts now, against <paramref name="model"/> (its metadata), asking for <paramref name="requestModel"/>.</summary>
    public ModelCall Start(ChatClientMetadata? model, string? requestModel) => new(this, model, requestModel, Stopwatch.GetTimestamp());

    internal void FirstChunk(in TagList tags, TimeSpan elapsed)
    {
        if (_timeToFirstChunk.Enabled) _timeToFirstChunk.Record(elapsed.TotalSeconds, tags);
    }

    internal void Ended(in TagList tags, TimeSpan elapsed, long? inputTokens, long? outputTokens)
    {
        _duration.Record(elapsed.TotalSeconds, tags);
        if (!_tokens.Enabled) return;
        if (inputTokens is { } input) _tokens.Record(Clamp(input), With(tags, "input"));
        if (outputTokens is { } output) _tokens.Record(Clamp(output), With(tags, "output"));
    }

    private static TagList With(TagList tags, string tokenType)
    {
        tags.Add("gen_ai.token.type", tokenType);
        return tags;
    }

    private static int Clamp(long tokens) => (int)Math.Min(tokens, int.MaxValue);
}
