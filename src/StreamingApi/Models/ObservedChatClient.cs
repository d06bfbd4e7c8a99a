using System.Diagnostics;
using Microsoft.Extensions.AI;
using StreamingApi.Observability;

namespace StreamingApi.Models;

/// <summary>
/// Sends a model call through Microsoft.Extensions.AI's <see cref="OpenTelemetryChatClient"/> (a <c>chat {model}</c>
/// span after the GenAI conventions, and the <c>gen_ai.client.*</c> metrics) when anyone will see it: the call is made in
/// a recorded trace (a sampled run), or <see cref="TelemetryOptions.ModelMetrics"/> asks for every call's metrics.
/// Otherwise the call goes straight to the model.
/// </summary>
/// <remarks>
/// That client keeps every update of a streamed call until the call ends (it folds them into a response for the
/// token counts and finish reasons), whether or not anything listens: a held stream would keep each of its deltas
/// alive, and a long answer all of its. This is where that cost is paid only for what is recorded. A function invoker
/// built on this client finds the OpenTelemetry client's activity source here, as it would on that client.
/// </remarks>
internal sealed class ObservedChatClient : DelegatingChatClient
{
    private readonly OpenTelemetryChatClient _observed;
    private readonly ActivitySource _source;
    private readonly bool _everyCall;

    public ObservedChatClient(IChatClient innerClient, TelemetryOptions options) : base(innerClient)
    {
        _observed = new OpenTelemetryChatClient(innerClient, sourceName: RunTracing.ModelSourceName) { EnableSensitiveData = options.RecordContent };
        _source = _observed.GetService<ActivitySource>()!;
        _everyCall = options.ModelMetrics;
    }

    private bool Observed => _everyCall || (_source.HasListeners() && Activity.Current is { Recorded: true });

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Observed ? _observed.GetResponseAsync(messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Observed ? _observed.GetStreamingResponseAsync(messages, options, cancellationToken) : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && (serviceType == typeof(ActivitySource) || serviceType == typeof(OpenTelemetryChatClient))
            ? _observed.GetService(serviceType)
            : base.GetService(serviceType, serviceKey);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _observed.Dispose(); // its activity source and meter (and the inner client, which base disposes too)
        base.Dispose(disposing);
    }
}
