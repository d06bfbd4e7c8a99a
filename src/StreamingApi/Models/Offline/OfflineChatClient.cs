using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace StreamingApi.Models.Offline;

/// <summary>
/// The embedded model: needs no key and no network, and behaves like a real chat model, deterministically for a
/// given conversation: it answers the latest user message, its thinking recalls the earlier ones, and its usage counts
/// the whole conversation. It thinks briefly first (<see cref="OfflineModelOptions.Reasoning"/>), then streams a
/// markdown answer token by token at a configurable pace; when tools are offered it asks for the ones the prompt needs and
/// waits for their results; asked for JSON, it streams the structured result built from those results.
/// </summary>
/// <remarks>
/// A streamed call whose token fires ends where it is, without an exception: a stopped run is the usual end of an
/// abandoned stream, and an exception would be thrown again by every await between here and the run host. Its callers
/// tell it from an answer by their token (an answer ends with its finish reason and usage). A call that is not streamed
/// throws <see cref="OperationCanceledException"/>, as callers of a response expect.
/// </remarks>
public sealed class OfflineChatClient(IOptions<OfflineModelOptions> options, OfflinePacer pacer, TimeProvider time) : IChatClient
{
    private static readonly ChatClientMetadata Metadata = new("offline", null, OfflineModelOptions.DefaultModelId);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var response = await GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested(); // a stopped stream ends quietly; a stopped response is no answer
        return response;
    }

    /// <remarks>
    /// The conversation is read when the call is made, while the caller's list is as it was given (not copied), and what
    /// the answer needs of it is all the stream keeps: not the messages, which a held stream would otherwise keep for its life.
    /// </remarks>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        var conversation = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var json = chatOptions?.ResponseFormat is ChatResponseFormatJson;
        // The request is the latest user message (in a JSON turn, the one before the instruction that asks for JSON);
        // the user messages before it are the conversation so far, which the model's thinking recalls.
        var asked = new List<string>();
        var inputTokens = 0; // the whole conversation, as a real model counts it
        for (var i = 0; i < conversation.Count; i++) // indexed: foreach over the interface would box an enumerator
        {
            var message = conversation[i];
            var text = message.Text;
            inputTokens += OfflineWriter.TokenCount(text);
            if (message.Role == ChatRole.User && text.Length > 0) asked.Add(text); // not a message of approval decisions
        }
        if (json && asked.Count > 1) asked.RemoveAt(asked.Count - 1);
        var prompt = asked.Count > 0 ? asked[^1] : "";
        var history = OfflineAnalyst.History(conversation);
        var calls = chatOptions?.Tools is { Count: > 0 } tools && !json
            ? OfflineAnalyst.NextCalls(prompt, tools, history, time.GetUtcNow().Year - 1)
            : [];
        var thinking = !options.Value.Reasoning ? null
            : OfflineThinking.Recall(asked.GetRange(0, Math.Max(0, asked.Count - 1))) + (calls.Count > 0 ? OfflineThinking.BeforeCalls(prompt, calls, history)
                : json ? OfflineThinking.BeforeJson()
                : OfflineThinking.BeforeText(prompt, history));
        var chunks = calls.Count > 0 ? null
            : json ? JsonChunks(OfflineAnalyst.Report(prompt, history).ToJsonString()).Select(chunk => (IList<AIContent>)[new TextContent(chunk)])
            : TextChunks(history.Count == 0 ? OfflineWriter.Compose(prompt, [], []) // no tool was called: nothing to report
                : OfflineWriter.Compose(prompt, OfflineAnalyst.Facts(history), OfflineAnalyst.Recommendations(history)));
        return StreamAsync(thinking, calls, chunks, inputTokens, cancellationToken);
    }

    /// <summary>The answer's updates at the configured pace: the thinking, then the calls or else the answer's chunks.</summary>
    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(string? thinking, List<FunctionCallContent> calls,
        IEnumerable<IList<AIContent>>? chunks, int inputTokens, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var pace = new Pace(options.Value, pacer, time, cancellationToken);
        var responseId = $"offline-{Guid.NewGuid():N}";
        var count = 0; // tokens so far: the pace's schedule runs on from the reasoning into the answer
        if (thinking is not null)
        {
            foreach (var token in OfflineWriter.Tokens(thinking))
            {
                if (!await pace.WaitForTokenAsync(count++).ConfigureAwait(false)) yield break;
                yield return Update(responseId, [new TextReasoningContent(token)]);
            }
        }
        var thoughts = count;

        if (chunks is null)
        {
            if (!await pace.WaitForTokenAsync(count).ConfigureAwait(false)) yield break;
            yield return Update(responseId, [.. calls]);
            yield return Finish(responseId, ChatFinishReason.ToolCalls, inputTokens, thoughts + calls.Count, thoughts);
            yield break;
        }

        foreach (var chunk in chunks)
        {
            if (!await pace.WaitForTokenAsync(count++).ConfigureAwait(false)) yield break;
            yield return Update(responseId, chunk);
        }
        yield return Finish(responseId, ChatFinishReason.Stop, inputTokens, count, thoughts);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    /// <summary>
    /// The answer's tokens as the contents of their updates (over again from its start, until there are
    /// <see cref="OfflineModelOptions.FixedDeltaCount"/>, when that is set).
    /// </summary>
    private IEnumerable<IList<AIContent>> TextChunks(IReadOnlyList<string> answer)
    {
        var contents = OfflineTokenContents.Of(answer);
        var count = options.Value.FixedDeltaCount <= 0 ? contents.Length : options.Value.FixedDeltaCount;
        for (var i = 0; contents.Length > 0 && i < count; i++) yield return contents[i % contents.Length];
    }

    /// <summary>JSON arrives in pieces of a few characters, never splitting a surrogate pair.</summary>
    private static IEnumerable<string> JsonChunks(string json)
    {
        for (var start = 0; start < json.Length;)
        {
            var length = Math.Min(8, json.Length - start);
            if (start + length < json.Length && char.IsHighSurrogate(json[start + length - 1])) length++;
            yield return json.Substring(start, length);
            start += length;
        }
    }

    private ChatResponseUpdate Update(string responseId, IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = responseId,
        MessageId = responseId,
        ModelId = OfflineModelOptions.DefaultModelId,
        CreatedAt = time.GetUtcNow(),
    };

    /// <param name="reasoningTokens">The part of <paramref name="outputTokens"/> spent thinking.</param>
    private ChatResponseUpdate Finish(string responseId, ChatFinishReason reason, int inputTokens, int outputTokens, int reasoningTokens)
    {
        var update = Update(responseId, [new UsageContent(new UsageDetails
        {
            InputTokenCount = inputTokens,
            OutputTokenCount = outputTokens,
            ReasoningTokenCount = reasoningTokens > 0 ? reasoningTokens : null,
            TotalTokenCount = inputTokens + outputTokens,
        })]);
        update.FinishReason = reason;
        return update;
    }

    /// <summary>Keeps to the configured pace against a fixed schedule, so delays do not drift.</summary>
    private sealed class Pace(OfflineModelOptions options, OfflinePacer pacer, TimeProvider time, CancellationToken cancellationToken) : IDisposable
    {
        private readonly long _start = time.GetTimestamp();
        private readonly OfflinePacer.Waiter? _waiter =
            options is { FirstTokenDelayMs: <= 0, TokensPerSecond: <= 0 } ? null : pacer.CreateWaiter(cancellationToken);

        /// <summary>Waits until token <paramref name="index"/> is due: true then, false once the call is stopped.</summary>
        public ValueTask<bool> WaitForTokenAsync(int index)
        {
            if (_waiter is null) return new ValueTask<bool>(!cancellationToken.IsCancellationRequested); // as fast as possible: not even a clock read
            var due = TimeSpan.FromMilliseconds(options.FirstTokenDelayMs)
                + (options.TokensPerSecond > 0 ? TimeSpan.FromSeconds(index / options.TokensPerSecond) : TimeSpan.Zero);
            return _waiter.WaitUntilAsync(_start + (long)(due.TotalSeconds * time.TimestampFrequency));
        }

        public void Dispose() => _waiter?.Dispose();
    }
}
