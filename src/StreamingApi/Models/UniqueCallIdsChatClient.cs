using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models;

/// <summary>
/// Applies <see cref="CallIds"/> to the calls a model client returns with the provider's ids as they come: a call
/// whose id is missing (empty) or already used in the conversation gets a fresh one, which is also the id its result
/// answers. The call's <see cref="AIContent.AdditionalProperties"/> and raw representation stay as they were, so a
/// provider that needs its own id on the next turn keeps it there (Gemini's client does, with its thought signature).
/// Both real providers have it in their pipeline; the offline model numbers its calls through the conversation itself.
/// </summary>
internal sealed class UniqueCallIdsChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var conversation = messages as IList<ChatMessage> ?? messages.ToList();
        var response = await base.GetResponseAsync(conversation, options, cancellationToken).ConfigureAwait(false);
        var ids = new CallIds(conversation);
        foreach (var message in response.Messages) Rename(message.Contents, ids);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var conversation = messages as IList<ChatMessage> ?? messages.ToList();
        var ids = new CallIds(conversation);
        await foreach (var update in base.GetStreamingResponseAsync(conversation, options, cancellationToken).ConfigureAwait(false))
        {
            Rename(update.Contents, ids);
            yield return update;
        }
    }

    private static void Rename(IList<AIContent> contents, CallIds ids)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not FunctionCallContent call || ids.For(call.CallId) is var id && id == call.CallId) continue;
            contents[i] = new FunctionCallContent(id, call.Name, call.Arguments)
            {
                Exception = call.Exception,
                AdditionalProperties = call.AdditionalProperties,
                RawRepresentation = call.RawRepresentation,
            };
        }
    }
}
