using Microsoft.Extensions.AI;

namespace StreamingApi.Models.Gemini;

/// <summary>
/// Gives each function call Gemini asks for an id that no other call of the conversation has. Gemini's ids are
/// optional (its REST reference allows a <c>functionCall</c> without <c>id</c> and a response without
/// <c>responseId</c>) and may repeat from one turn to the next, while tool events and tool results are matched by
/// id. Gemini's own id, when there is one and it is still free, is kept as ours; whatever Gemini sent goes back to
/// it unchanged (<see cref="GeminiRequestBuilder.GeminiCallIdKey"/>).
/// </summary>
internal sealed class GeminiCallIds
{
    private readonly HashSet<string> _taken;
    private int _made;

    /// <param name="conversation">The conversation sent with the request: its calls' ids are taken.</param>
    public GeminiCallIds(IEnumerable<ChatMessage> conversation)
    {
        _taken = conversation.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToHashSet(StringComparer.Ordinal);
        _made = _taken.Count;
    }

    /// <summary>Gemini's id when it has one that is free; otherwise <c>gemini_call_{n}</c>, numbered through the conversation.</summary>
    public string For(string? geminiId)
    {
        if (!string.IsNullOrEmpty(geminiId) && _taken.Add(geminiId)) return geminiId;
        string id;
        do id = $"gemini_call_{++_made}"; while (!_taken.Add(id));
        return id;
    }
}
