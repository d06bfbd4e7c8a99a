using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StreamingApi.Models;

/// <summary>
/// Gives each function call a model asks for an id that no other call of the conversation has. Providers' ids are
/// not to be relied on: Gemini's REST reference allows a <c>functionCall</c> without <c>id</c> (and a response
/// without <c>responseId</c>), and servers may number calls per response, so ids repeat from one turn to the next.
/// Tool events and tool results are matched by id, so within a run each must be unique. The provider's id is kept
/// when it is free.
/// </summary>
internal sealed class CallIds
{
    private readonly HashSet<string> _taken;
    private int _made;

    /// <param name="conversation">The conversation sent with the request: its calls' ids are taken.</param>
    public CallIds(IEnumerable<ChatMessage> conversation)
    {
        _taken = conversation.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToHashSet(StringComparer.Ordinal);
        _made = _taken.Count;
    }

    /// <summary>The provider's id when it has one that is free; otherwise <c>call_{n}</c>, numbered through the conversation.</summary>
    public string For(string? providerId)
    {
        if (!string.IsNullOrEmpty(providerId) && _taken.Add(providerId)) return providerId;
        string id;
        do id = $"call_{++_made}"; while (!_taken.Add(id));
        return id;
    }
}

/// <summary>
/// Applies <see cref="CallIds"/> to a model client whose calls carry the provider's ids as they come (the
/// OpenAI-compatible path): a call whose id is missing or already used gets a fresh one, which is also the id sent
/// back with the call and its result on the next turn.
/// </summary>
internal sealed class UniqueCallIds(IChatClient inner) : DelegatingChatClient(inner)
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
