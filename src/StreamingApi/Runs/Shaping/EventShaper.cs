using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>Reshapes an agent's event stream (adds progress, coalesces text, ...) before it is numbered.</summary>
public delegate IAsyncEnumerable<AgentEvent> EventShaper(IAsyncEnumerable<AgentEvent> events, RunContext run, CancellationToken cancellationToken);
