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

    /// <summary>What happens to the run when its last reader leaves.</summary>
    public WhenUnattended WhenUnattended { get; init; } = WhenUnattended.KeepRunning;

    /// <summary>The conversation the run answers (see <see cref="RunRecord.ThreadId"/>); it becomes the thread's latest run.</summary>
    public string? ThreadId { get; init; }
}

/// <summary>What happens to a run when its last reader leaves (see <see cref="DetachGrace"/>).</summary>
public enum WhenUnattended
{
    /// <summary>It goes on (a background run, started with <c>POST /runs</c>).</summary>
    KeepRunning,

    /// <summary>It goes on for <c>Runs:DetachGraceSeconds</c>, for the client to come back (a stream's run).</summary>
    StopAfterGrace,

    /// <summary>It stops at once (a blocking request, which cannot come back).</summary>
    StopAtOnce,
}
