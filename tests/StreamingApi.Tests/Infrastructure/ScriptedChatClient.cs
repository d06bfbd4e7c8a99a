using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>A chat model that says what the test tells it to: some text, then (asked for JSON) a given object, or a failure.</summary>
public sealed class ScriptedChatClient(string json, Exception? failAfterText = null) : IChatClient
{
    public const string Text = "Partial answer, ";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        if (options?.ResponseFormat is ChatResponseFormatJson)
        {
            foreach (var chunk in json.Chunk(5)) yield return new ChatResponseUpdate(ChatRole.Assistant, new string(chunk));
            yield break;
        }
        yield return new ChatResponseUpdate(ChatRole.Assistant, Text);
        if (failAfterText is not null) throw failAfterText;
        yield return new ChatResponseUpdate(ChatRole.Assistant, "the end.");
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "scripted-model") : null;

    public void Dispose()
    {
    }
}
