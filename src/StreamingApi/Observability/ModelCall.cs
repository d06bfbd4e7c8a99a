using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace StreamingApi.Observability;

/// <summary>
/// One model call being measured (<see cref="ModelCallMetrics"/>): it sees each update go by, keeping only the response's
/// model and the usage reported so far, and records its measurements once, when it ends.
/// </summary>
public sealed class ModelCall
{
    private readonly ModelCallMetrics _metrics;
    private readonly ChatClientMetadata? _model;
    private readonly string? _requestModel;
    private readonly long _started;
    private string? _responseModel;
    private long? _inputTokens;
    private long? _outputTokens;
    private bool _updated;
    private bool _ended;

    internal ModelCall(ModelCallMetrics metrics, ChatClientMetadata? model, string? requestModel, long started)
    {
        _metrics = metrics;
        _model = model;
        _requestModel = requestModel;
        _started = started;
    }

    /// <summary>An update of a streamed call: the first one is the time to the first chunk; usage adds up as a response's does.</summary>
    public void Saw(ChatResponseUpdate update)
    {
        _responseModel ??= update.ModelId;
        if (!_updated)
        {
            _updated = true;
            _metrics.FirstChunk(Tags(), Stopwatch.GetElapsedTime(_started));
        }
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage) Add(usage.Details);
        }
    }

    /// <summary>A call that was not streamed answered.</summary>
    public void Answered(ChatResponse response)
    {
        _responseModel ??= response.ModelId;
        if (response.Usage is { } usage) Add(usage);
    }

    /// <summary>
    /// The call ended: it completed, or its reader stopped early (<paramref name="error"/> null), or it failed; only the
    /// first end counts.
    /// </summary>
    public void Ended(Exception? error = null) => End(error?.GetType().FullName);

    /// <summary>
    /// The call was stopped (its token fired) and its stream ended where it was, without an exception: recorded as a
    /// call that threw <see cref="OperationCanceledException"/> is.
    /// </summary>
    public void Stopped() => End(typeof(OperationCanceledException).FullName);

    private void End(string? errorType)
    {
        if (_ended) return;
        _ended = true;
        var tags = Tags();
        if (errorType is not null) tags.Add("error.type", errorType);
        _metrics.Ended(tags, Stopwatch.GetElapsedTime(_started), _inputTokens, _outputTokens);
    }

    private void Add(UsageDetails usage)
    {
        if (usage.InputTokenCount is { } input) _inputTokens = (_inputTokens ?? 0) + input;
        if (usage.OutputTokenCount is { } output) _outputTokens = (_outputTokens ?? 0) + output;
    }

    private TagList Tags()
    {
        var tags = new TagList { { "gen_ai.operation.name", "chat" } };
        if (_model?.ProviderName is { } provider) tags.Add("gen_ai.provider.name", provider);
        if (_requestModel is not null) tags.Add("gen_ai.request.model", _requestModel);
        if (_model?.ProviderUri is { } uri)
        {
            tags.Add("server.address", uri.Host);
            tags.Add("server.port", uri.Port);
        }
        if (_responseModel is not null) tags.Add("gen_ai.response.model", _responseModel);
        return tags;
    }
}
