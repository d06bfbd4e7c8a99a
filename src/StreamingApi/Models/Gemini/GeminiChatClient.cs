using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace StreamingApi.Models.Gemini;

/// <summary>
/// Google Gemini as an <see cref="IChatClient"/>, on Gemini's native REST API (<c>v1beta</c>):
/// <c>models/{model}:streamGenerateContent?alt=sse</c> for streams and <c>:generateContent</c> otherwise, the key in
/// the <c>x-goog-api-key</c> header. A function call keeps the id Gemini gave it, or an empty one when Gemini gave
/// none; <see cref="UniqueCallIdsChatClient"/>, around this client in <see cref="ModelServiceCollectionExtensions.AddChatModel"/>,
/// makes ids unique in the conversation. Gemini's own id (under <see cref="GeminiRequestBuilder.GeminiCallIdKey"/>)
/// and thought signatures stay on the content and go back to Gemini on the next turn, whatever our id. Thought
/// summaries (parts with <c>thought: true</c>) become <see cref="TextReasoningContent"/>, never text. Failures become
/// <see cref="Agents.ModelCallException"/>s that are safe to show.
/// </summary>
public sealed class GeminiChatClient(IHttpClientFactory httpClientFactory, IOptions<GeminiOptions> options, TimeProvider time) : IChatClient
{
    public const string HttpClientName = "gemini";

    private GeminiOptions Options => options.Value;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        var conversation = messages as IList<ChatMessage> ?? messages.ToList();
        using var response = await SendAsync($"{ModelPath(chatOptions)}:generateContent", conversation, chatOptions, cancellationToken)
            ?? throw new OperationCanceledException(cancellationToken);
        GeminiResponse? answer;
        try
        {
            answer = await response.Content.ReadFromJsonAsync<GeminiResponse>(GeminiJson.Options, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw GeminiErrors.Malformed(exception);
        }
        var reader = new ResponseReader(time);
        var update = reader.Read(answer!);
        if (reader.Stopped is { } stopped) throw stopped;
        List<ChatResponseUpdate> updates = update is null ? [reader.Usage()] : [update, reader.Usage()];
        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var conversation = messages as IList<ChatMessage> ?? messages.ToList();
        // A stopped call ends quietly, at whatever point the stop finds it: its HTTP request is aborted by the token, and
        // the read it cancels is left unread, so no exception comes through here (the run's host reads why from the token).
        using var response = await SendAsync($"{ModelPath(chatOptions)}:streamGenerateContent?alt=sse", conversation, chatOptions, cancellationToken);
        if (response is null || cancellationToken.IsCancellationRequested) yield break;
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var reader = new ResponseReader(time);
        // Each event's data is read into a chunk straight from its UTF-8 bytes, with no string in between.
        await using var events = SseParser.Create(stream, static (_, data) => JsonSerializer.Deserialize(data, GeminiJsonContext.Default.GeminiResponse))
            .EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = events.MoveNextAsync();
            if (!next.IsCompleted) await new Settled<bool>(next);
            if (!next.IsCompletedSuccessfully && cancellationToken.IsCancellationRequested) yield break;
            if (!Moved(next)) break;

            if (events.Current.Data is { } chunk && reader.Read(chunk) is { } update) yield return update;
            if (reader.Stopped is { } stopped) throw stopped;
        }

        if (cancellationToken.IsCancellationRequested) yield break;
        if (!reader.Finished) throw GeminiErrors.ConnectionLost(null);
        yield return reader.Usage();
    }

    /// <summary>Whether the read gave an event; its failure as one of ours (the call was not stopped).</summary>
    private static bool Moved(ValueTask<bool> next)
    {
        if (next.IsCompletedSuccessfully) return next.Result;
        try
        {
            return next.GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            throw GeminiErrors.ConnectionLost(exception);
        }
        catch (JsonException exception)
        {
            throw GeminiErrors.Malformed(exception);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("gemini", Options.Endpoint, Options.Model)
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private string ModelPath(ChatOptions? chatOptions) => $"v1beta/models/{Uri.EscapeDataString(chatOptions?.ModelId ?? Options.Model)}";

    private async Task<HttpResponseMessage?> SendAsync(string path, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions,
        CancellationToken cancellationToken)
    {
        var apiKey = Options.ApiKey ?? "";
        // Serialized up front, so the body goes out with a Content-Length: some proxies refuse chunked request bodies.
        var body = JsonSerializer.SerializeToUtf8Bytes(GeminiRequestBuilder.Build(messages, chatOptions, Options.IncludeThoughts), GeminiJson.Options);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Options.Endpoint, path))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") { CharSet = "utf-8" } } },
        };
        request.Headers.Add("x-goog-api-key", apiKey);

        // Awaited without throwing: a call stopped before its answer began is no failure, and gives no response (null).
        var sending = httpClientFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ((Task)sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!sending.IsCompletedSuccessfully && cancellationToken.IsCancellationRequested) return null;
        HttpResponseMessage response;
        try
        {
            response = sending.GetAwaiter().GetResult();
        }
        catch (HttpRequestException exception)
        {
            throw GeminiErrors.Unreachable(exception);
        }

        if (response.IsSuccessStatusCode) return response;
        using (response) throw await GeminiErrors.FromResponseAsync(response, apiKey, cancellationToken);
    }

    /// <summary>Reads Gemini's answer chunks into updates, remembering the usage and whether the answer finished.</summary>
    private sealed class ResponseReader(TimeProvider time)
    {
        private GeminiUsage? _usage;
        private string? _responseId;
        private string? _modelVersion;

        public bool Finished { get; private set; }

        /// <summary>The failure of an answer that ended for another reason than STOP or MAX_TOKENS, thrown after its last contents.</summary>
        public Exception? Stopped { get; private set; }

        /// <summary>The update a chunk makes (none for a chunk with no content and no end), per streamed delta: no LINQ, no iterator.</summary>
        public ChatResponseUpdate? Read(GeminiResponse chunk)
        {
            if (chunk.PromptFeedback?.BlockReason is { } blocked) throw GeminiErrors.Blocked(blocked);
            _usage = chunk.UsageMetadata ?? _usage;
            _responseId = chunk.ResponseId ?? _responseId;
            _modelVersion = chunk.ModelVersion ?? _modelVersion;

            if (chunk.Candidates is not [var candidate, ..]) return null;
            var parts = candidate.Content?.Parts ?? [];
            var contents = new List<AIContent>(parts.Count);
            for (var i = 0; i < parts.Count; i++)
                if (ToContent(parts[i]) is { } content) contents.Add(content);
            var finish = FinishReasonOf(candidate.FinishReason);
            if (candidate.FinishReason is { } reason)
            {
                Finished = true;
                if (finish is null) Stopped = GeminiErrors.Stopped(reason);
            }
            if (contents.Count == 0 && finish is null) return null;
            return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = _responseId,
                MessageId = _responseId,
                ModelId = _modelVersion,
                CreatedAt = time.GetUtcNow(),
                FinishReason = finish,
            };
        }

        public ChatResponseUpdate Usage() => new(ChatRole.Assistant, _usage is null ? [] :
        [
            new UsageContent(new UsageDetails
            {
                InputTokenCount = _usage.PromptTokenCount,
                OutputTokenCount = (_usage.CandidatesTokenCount ?? 0) + (_usage.ThoughtsTokenCount ?? 0),
                ReasoningTokenCount = _usage.ThoughtsTokenCount,
                TotalTokenCount = _usage.TotalTokenCount,
            }),
        ])
        {
            ResponseId = _responseId,
            ModelId = _modelVersion,
        };

        private AIContent? ToContent(GeminiPart part)
        {
            AIContent? content = part switch
            {
                // A thought's signature rides in ProtectedData, which keeps a signed run of thought pieces whole
                // when the updates are put together into the conversation (other properties of merged pieces are lost).
                { Thought: true } => new TextReasoningContent(part.Text ?? "") { ProtectedData = part.ThoughtSignature },
                { FunctionCall: { } call } => new FunctionCallContent(call.Id ?? "", call.Name,
                    call.Args?.ToDictionary(a => a.Key, a => (object?)JsonSerializer.SerializeToElement(a.Value, GeminiJson.Options)))
                {
                    AdditionalProperties = call.Id is null ? null : new() { [GeminiRequestBuilder.GeminiCallIdKey] = call.Id },
                },
                { Text: { Length: > 0 } text } => new TextContent(text),
                _ => null,
            };
            if (content is not (null or TextReasoningContent) && part.ThoughtSignature is { } signature)
                (content.AdditionalProperties ??= [])[GeminiRequestBuilder.ThoughtSignatureKey] = signature;
            return content;
        }

        /// <summary>STOP and MAX_TOKENS end an answer normally; any other reason (SAFETY, RECITATION, ...) is a failure.</summary>
        private static ChatFinishReason? FinishReasonOf(string? reason) => reason switch
        {
            null => null,
            "STOP" => ChatFinishReason.Stop,
            "MAX_TOKENS" => ChatFinishReason.Length,
            _ => null,
        };
    }
}
