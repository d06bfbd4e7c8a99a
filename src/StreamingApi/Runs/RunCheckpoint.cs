using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// A run that waits for approvals, as the run store keeps it: everything needed to go on, on any instance, with no
/// task, thread or model connection kept meanwhile. Its decisions are kept beside it, each recorded atomically as it
/// comes (<see cref="IRunStore.DecideAsync"/>), and the instance that claims it (<see cref="IRunStore.ClaimAsync"/>)
/// goes on.
/// </summary>
/// <param name="Record">The run's record as it waits (status <see cref="RunStatus.Waiting"/>).</param>
/// <param name="Prompt">The request the run answers.</param>
/// <param name="Agent">Where the agent stopped: its conversation so far.</param>
/// <param name="Approvals">The requests it waits for, with their deadline: approvals, and calls of the client's tools (each under its <see cref="ClientTool.WaitId"/>).</param>
/// <param name="Stats">The run's figures so far, so that its <c>done</c> counts the whole run.</param>
/// <param name="TimeLimitSeconds">What the run had of its time limit when it stopped to wait; its work, not its waiting, is limited.</param>
/// <param name="LimitKey">Who the run counts against (see <see cref="RunPlan.LimitKey"/>).</param>
/// <param name="Shape">How its events are reshaped (see <see cref="RunPlan.Shape"/>): the same once it goes on.</param>
/// <param name="WhenUnattended">What its last reader leaving means once it goes on (see <see cref="RunPlan.WhenUnattended"/>).</param>
public sealed record RunCheckpoint(RunRecord Record, string Prompt, AgentCheckpoint Agent, IReadOnlyList<ApprovalRequested> Approvals,
    RunStatsSnapshot Stats, double TimeLimitSeconds, string? LimitKey, RunShape? Shape = null, WhenUnattended WhenUnattended = WhenUnattended.KeepRunning)
{
    /// <summary>When the first of its approvals expires: a run not decided by then goes on with the undecided ones denied.</summary>
    public DateTimeOffset Deadline => Approvals.Count == 0 ? Record.StartedAt : Approvals.Min(a => a.ExpiresAt);
}

/// <summary>A claimed checkpoint, with a decision on each of its approvals (undecided ones denied: <c>timeout</c>, or <c>stopped</c>).</summary>
public sealed record ClaimedCheckpoint(RunCheckpoint Checkpoint, IReadOnlyList<ApprovalDecision> Decisions);

/// <summary>What became of a decision given for an approval (<see cref="IRunStore.DecideAsync"/>).</summary>
public enum ApprovalOutcome
{
    /// <summary>Recorded now.</summary>
    Recorded,

    /// <summary>The same decision was recorded before: nothing changed.</summary>
    Same,

    /// <summary>Another decision was recorded before (or the run was stopped, or its time ran out: see the decision).</summary>
    Conflict,

    /// <summary>Its deadline has passed: it counts as denied.</summary>
    Expired,

    /// <summary>No such approval in that run.</summary>
    Unknown,
}

/// <summary>The answer of <see cref="IRunStore.DecideAsync"/>: the outcome, and the decision that stands (null when unknown).</summary>
public sealed record ApprovalDecisionResult(ApprovalOutcome Outcome, ApprovalDecision? Decision)
{
    /// <summary>
    /// A decision given when <paramref name="standing"/> was recorded before: the same again (a client's result too), a
    /// conflicting one, or one too late (the standing one is the timeout's).
    /// </summary>
    public static ApprovalDecisionResult Against(ApprovalDecision standing, ApprovalDecision given) =>
        new(standing is { Approved: false, Reason: ApprovalReasons.TimedOut } ? ApprovalOutcome.Expired
            : standing.Approved == given.Approved && standing.Output == given.Output ? ApprovalOutcome.Same
            : ApprovalOutcome.Conflict, standing);
}
