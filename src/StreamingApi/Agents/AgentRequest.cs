namespace StreamingApi.Agents;

/// <summary>What the caller asks of an agent run.</summary>
/// <param name="Prompt">The user's request: the latest message of the conversation.</param>
public sealed record AgentRequest(string Prompt)
{
    /// <summary>
    /// The conversation before <see cref="Prompt"/>, oldest first: what the user asked and the agent answered, as text.
    /// Empty for a single question.
    /// </summary>
    public IReadOnlyList<ConversationMessage> History { get; init; } = [];
}
