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

    /// <summary>
    /// Where to go on from, when the run waited for approvals: the agent continues that conversation with the decisions
    /// rather than starting one from <see cref="Prompt"/>.
    /// </summary>
    public AgentResume? Resume { get; init; }
}
