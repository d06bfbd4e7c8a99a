using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// Told of every run's start and end by <see cref="RunHost"/>, so that a feature can follow runs for their whole life
/// (not just the request that started them). Implementations must not throw: a failure of theirs is theirs to log.
/// </summary>
public interface IRunObserver
{
    /// <summary>The run has started (its first event is written), before its start is answered.</summary>
    ValueTask RunStartedAsync(string runId, RunPlan plan);

    /// <summary>The run has ended, however it ended; <paramref name="stats"/> holds its final figures (its usage).</summary>
    ValueTask RunEndedAsync(string runId, RunPlan plan, RunStats stats);

    /// <summary>
    /// The run has stopped to wait for its client (approvals, the client's tools' results): it is a checkpoint in the
    /// store, not in progress, until <see cref="RunResumedAsync"/> (perhaps on another instance) or its end.
    /// </summary>
    ValueTask RunWaitingAsync(string runId, RunPlan plan) => ValueTask.CompletedTask;

    /// <summary>A run that waited goes on, on this instance (its plan is the one it goes on with).</summary>
    ValueTask RunResumedAsync(string runId, RunPlan plan) => ValueTask.CompletedTask;
}
