namespace StreamingApi.Agents;

/// <summary>An agent: turns a request into a stream of <see cref="AgentEvent"/>s. Knows nothing about HTTP.</summary>
public interface IAgent
{
    string Name { get; }

    /// <summary>The model id as the model reports it.</summary>
    string Model { get; }

    IAsyncEnumerable<AgentEvent> RunAsync(AgentRequest request, RunContext run, CancellationToken cancellationToken);
}
