using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>Everything needed to start a run.</summary>
public sealed record RunPlan(string Endpoint, IAgent Agent, AgentRequest Request)
{
    /// <summary>The server ends the run after this long (<c>done</c> with reason <c>time-limit</c>).</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>How its events are reshaped before they are numbered; null: as the agent gives them.</summary>
    public RunShape? Shape { get; init; }

    /// <summary>
    /// Who the run counts against for limits and quotas (the caller's principal, else its address), as the endpoint that
    /// made the plan saw it; null for runs no caller started.
    /// </summary>
    public string? LimitKey { get; init; }

    /// <summary>
    /// The slot among its caller's runs in progress that the limits reserved when its request was admitted (an opaque id),
    /// which the run takes over when it starts; null when none was reserved.
    /// </summary>
    public string? LimitReservation { get; init; }

    /// <summary>What happens to the run when its last reader leaves.</summary>
    public WhenUnattended WhenUnattended { get; init; } = WhenUnattended.KeepRunning;

    /// <summary>The conversation the run answers (see <see cref="RunRecord.ThreadId"/>); it becomes the thread's latest run.</summary>
    public string? ThreadId { get; init; }

    /// <summary>The name of the principal the run is started for (see <see cref="RunRecord.Principal"/>); null when authentication is off.</summary>
    public string? Principal { get; init; }
}
