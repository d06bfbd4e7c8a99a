using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// Reasoning that OpenAI-compatible servers stream beside the answer. Microsoft.Extensions.AI.OpenAI (10.11) turns a
/// delta's <c>reasoning_content</c> (DeepSeek, vLLM, llama.cpp's server) into <see cref="TextReasoningContent"/> but
/// drops the same text when a server names the field <c>reasoning</c>; this reads that field from the chunk's raw JSON
/// (the model's <c>Patch</c>, which holds the properties the OpenAI types do not declare). A chunk that already
/// carries reasoning is left alone, so a server that sends both fields is not shown its thoughts twice.
/// </summary>
internal sealed class OpenAIReasoningChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (response.RawRepresentation is ChatCompletion raw && response.Messages.LastOrDefault() is { } message
            && !message.Contents.OfType<TextReasoningContent>().Any() && Field(raw, "$.choices[0].message.reasoning"u8) is { Length: > 0 } text)
        {
            message.Contents.Insert(0, new TextReasoningContent(text));
        }
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.RawRepresentation is StreamingChatCompletionUpdate raw && !HasReasoning(update)
                && Field(raw, "$.choices[0].delta.reasoning"u8) is { Length: > 0 } text)
            {
                update.Contents.Insert(0, new TextReasoningContent(text));
            }
            yield return update;
        }
    }

    private static bool HasReasoning(ChatResponseUpdate update)
    {
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
            if (contents[i] is TextReasoningContent) return true;
        return false;
    }

#pragma warning disable SCME0001 // JsonPatch is marked experimental; it is how the OpenAI types expose undeclared JSON properties.
    private static string? Field(StreamingChatCompletionUpdate update, ReadOnlySpan<byte> path) =>
        update.Patch.TryGetValue(path, out string? value) ? value : null;

    private static string? Field(ChatCompletion completion, ReadOnlySpan<byte> path) =>
        completion.Patch.TryGetValue(path, out string? value) ? value : null;
#pragma warning restore SCME0001
}
