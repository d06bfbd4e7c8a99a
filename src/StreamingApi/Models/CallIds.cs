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
