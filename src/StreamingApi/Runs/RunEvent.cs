using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>An event of a run with its place in the run's sequence (counted from 1).</summary>
public readonly record struct RunEvent(long Sequence, AgentEvent Event);
