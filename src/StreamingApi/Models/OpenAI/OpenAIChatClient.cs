using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// An OpenAI-compatible chat completions server as an <see cref="IChatClient"/>: <c>POST {endpoint}/chat/completions</c>,
/// streamed with <c>stream_options.include_usage</c>, the key as a bearer token. Each event of the stream is read
/// into a chunk straight from its UTF-8 bytes with source-generated JSON (<see cref="OpenAIJsonContext"/>) and becomes
/// one update (<see cref="OpenAIResponseReader"/>); <c>data: [DONE]</c> ends the answer. Reasoning streamed as
/// <c>reasoning_content</c> or <c>reasoning</c> becomes <see cref="TextReasoningContent"/>. Failures become
/// <see cref="Agents.ModelCallException"/>s that are safe to show (<see cref="OpenAIErrors"/>).
/// </summary>
internal sealed class OpenAIChatClient(HttpClient http, OpenAIOptions options, bool ownsHttpClient = false) : IChatClient
{
    public const string HttpClientName = "openai";

    private readonly Uri _completions = new(options.Endpoint.ToString().TrimEnd('/') + "/chat/completions");

    private readonly ChatClientMetadata _metadata = new("openai", options.Endpoint, options.Model);

    /// <summary>The end of a stream: <c>data: [DONE]</c>.</summary>
    private static readonly OpenAIChunk Done = new();

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(messages, chatOptions, stream: false, cancellationToken)
            ?? throw new OperationCanceledException(cancellationToken);
        OpenAIChunk? completion;
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            completion = await JsonSerializer.DeserializeAsync(body, OpenAIJsonContext.Default.OpenAIChunk, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw OpenAIErrors.Malformed(exception);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw OpenAIErrors.Unreachable(exception);
        }

        var reader = new OpenAIResponseReader(options.ApiKey);
        List<ChatResponseUpdate> updates = [reader.Read(completion ?? new OpenAIChunk())];
        if (reader.Calls() is { } calls) updates.Add(calls);
        return updates.ToChatResponse();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A stopped call ends quietly, at whatever point the stop finds it: its HTTP request is aborted by the token, and
        // the read it cancels is left unread, so no exception comes through here (the run's host reads why from the token).
        using var response = await SendAsync(messages, chatOptions, stream: true, cancellationToken);
        if (response is null || cancellationToken.IsCancellationRequested) yield break;
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var reader = new OpenAIResponseReader(options.ApiKey);
        await using var events = SseParser.Create(stream, static (_, data) => Parse(data)).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = events.MoveNextAsync();
            if (!next.IsCompleted) await new Settled<bool>(next);
            if (!next.IsCompletedSuccessfully && cancellationToken.IsCancellationRequested) yield break;
            if (!Moved(next)) break;

            var chunk = events.Current.Data;
            if (ReferenceEquals(chunk, Done)) break;
            if (chunk is not null) yield return reader.Read(chunk);
        }

        if (cancellationToken.IsCancellationRequested) yield break;
        if (reader.Calls() is { } calls) yield return calls;
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
            throw OpenAIErrors.Unreachable(exception);
        }
        catch (JsonException exception)
        {
            throw OpenAIErrors.Malformed(exception);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (ownsHttpClient) http.Dispose();
    }

    /// <summary>An event's data as a chunk, read from its UTF-8 bytes; <see cref="Done"/> for <c>[DONE]</c>, nothing for an empty event.</summary>
    private static OpenAIChunk? Parse(ReadOnlySpan<byte> data) =>
        data.IsEmpty ? null
        : data.SequenceEqual("[DONE]"u8) ? Done
        : JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.OpenAIChunk);

    private async Task<HttpResponseMessage?> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions, bool stream,
        CancellationToken cancellationToken)
    {
        // Serialized up front, so the body goes out with a Content-Length: some proxies refuse chunked request bodies.
        var body = JsonSerializer.SerializeToUtf8Bytes(OpenAIRequestBuilder.Build(messages, chatOptions, options.Model ?? "", stream),
            OpenAIJsonContext.Default.OpenAIRequest);
        using var request = new HttpRequestMessage(HttpMethod.Post, _completions)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.Authorization = new("Bearer", string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey);
        request.Headers.Accept.Add(new("application/json"));

        // Awaited without throwing: a call stopped before its answer began is no failure, and gives no response (null).
        var sending = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ((Task)sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!sending.IsCompletedSuccessfully && cancellationToken.IsCancellationRequested) return null;
        HttpResponseMessage response;
        try
        {
            response = sending.GetAwaiter().GetResult();
        }
        catch (HttpRequestException exception)
        {
            throw OpenAIErrors.Unreachable(exception);
        }

        if (response.IsSuccessStatusCode) return response;
        using (response) throw await OpenAIErrors.FromResponseAsync(response, options.ApiKey, cancellationToken);
    }
}
