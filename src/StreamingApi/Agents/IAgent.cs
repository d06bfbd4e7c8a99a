using StreamingApi.Runs;

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

/// <summary>One earlier message of a conversation, as the model gets it again: who said it, and its text.</summary>
public sealed record ConversationMessage(ConversationRole Role, string Text);

public enum ConversationRole
{
    User,
    Assistant,
}

/// <summary>An agent: turns a request into a stream of <see cref="AgentEvent"/>s. Knows nothing about HTTP.</summary>
public interface IAgent
{
    string Name { get; }

    /// <summary>The model id as the model reports it.</summary>
    string Model { get; }

    IAsyncEnumerable<AgentEvent> RunAsync(AgentRequest request, RunContext run, CancellationToken cancellationToken);
}
