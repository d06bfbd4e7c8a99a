using System.Diagnostics;
using Microsoft.Extensions.AI;
using StreamingApi.Observability;

namespace StreamingApi.Models;

/// <summary>
/// Measures every model call (<see cref="ModelCallMetrics"/>: the <c>gen_ai.client.*</c> metrics, once per call), and
/// sends it through Microsoft.Extensions.AI's <see cref="OpenTelemetryChatClient"/> (a <c>chat {model}</c> span after
/// the GenAI conventions) when anyone will see the span: the call is made in a recorded trace (a sampled run), or
/// <see cref="TelemetryOptions.ModelMetrics"/> asks for that client on every call. Otherwise the call goes straight to
/// the model.
/// </summary>
/// <remarks>
/// That client keeps every update of a streamed call until the call ends (it folds them into a response for the
/// token counts and finish reasons), whether or not anything listens: a held stream would keep each of its deltas
/// alive, and a long answer all of its. This is where that cost is paid only for what is recorded. The metrics come
/// from here alone, for every call, whichever way it goes: that client records the same instruments on its own meter
/// (<see cref="RunTracing.ModelSourceName"/>), which is not exported, so a call it sees is not counted twice, and the
/// metrics do not depend on sampling. A function invoker built on this client finds the OpenTelemetry client's
/// activity source here, as it would on that client.
/// </remarks>
internal sealed class ObservedChatClient : DelegatingChatClient
{
    private readonly OpenTelemetryChatClient _observed;
    private readonly ActivitySource _source;
    private readonly bool _everyCall;
    private readonly ModelCallMetrics? _metrics;
    private readonly ChatClientMetadata? _model;

    /// <param name="metrics">Where every call is measured; none, no call is.</param>
    public ObservedChatClient(IChatClient innerClient, TelemetryOptions options, ModelCallMetrics? metrics = null) : base(innerClient)
    {
        _observed = new OpenTelemetryChatClient(innerClient, sourceName: RunTracing.ModelSourceName) { EnableSensitiveData = options.RecordContent };
        _source = _observed.GetService<ActivitySource>()!;
        _everyCall = options.ModelMetrics;
        _metrics = metrics;
        _model = innerClient.GetService<ChatClientMetadata>();
    }

    private bool Observed => _everyCall || (_source.HasListeners() && Activity.Current is { Recorded: true });

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var call = Start(options);
        try
        {
            var response = await (Observed ? _observed.GetResponseAsync(messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken))
                .ConfigureAwait(false);
            call?.Answered(response);
            call?.Ended();
            return response;
        }
        catch (Exception error)
        {
            call?.Ended(error);
            throw;
        }
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var updates = Observed ? _observed.GetStreamingResponseAsync(messages, options, cancellationToken) : base.GetStreamingResponseAsync(messages, options, cancellationToken);
        return _metrics is { Enabled: true } metrics
            ? new MeasuredUpdates(updates, metrics, _model, RequestModel(options), cancellationToken)
            : updates;
    }

    private ModelCall? Start(ChatOptions? options) => _metrics is { Enabled: true } metrics ? metrics.Start(_model, RequestModel(options)) : null;

    /// <summary>The model a call asks for: its options', or the client's default.</summary>
    private string? RequestModel(ChatOptions? options) => options?.ModelId ?? _model?.DefaultModelId;

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
