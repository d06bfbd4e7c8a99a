using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>Reshapes an agent's event stream (adds progress, coalesces text, ...) before it is numbered.</summary>
public delegate IAsyncEnumerable<AgentEvent> EventShaper(IAsyncEnumerable<AgentEvent> events, RunContext run, CancellationToken cancellationToken);

/// <summary>Everything needed to start a run.</summary>
public sealed record RunPlan(string Endpoint, IAgent Agent, AgentRequest Request)
{
    /// <summary>The server ends the run after this long (<c>done</c> with reason <c>time-limit</c>).</summary>
    public TimeSpan? TimeLimit { get; init; }

    public EventShaper? Shape { get; init; }
}
