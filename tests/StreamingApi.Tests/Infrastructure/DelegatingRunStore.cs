using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>A run store that hands every call to another: a test's wrapper overrides only the calls it changes.</summary>
public abstract class DelegatingRunStore(IRunStore inner) : IRunStore
{
    public virtual ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken) =>
        inner.CreateAsync(record, owner, cancellationToken);

    public virtual ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken) => inner.FindAsync(runId, cancellationToken);

    public virtual ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken) =>
        inner.FindLatestAsync(threadId, cancellationToken);

    public virtual ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken) => inner.OutputAsync(runId, cancellationToken);

    public virtual ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone) =>
        inner.OpenAsync(runId, afterSequence, readerGone);

    public virtual ValueTask<bool> RequestStopAsync(string runId, string reason, CancellationToken cancellationToken) =>
        inner.RequestStopAsync(runId, reason, cancellationToken);

    public virtual ValueTask<bool> HasReadersElsewhereAsync(string runId, CancellationToken cancellationToken) =>
        inner.HasReadersElsewhereAsync(runId, cancellationToken);

    public virtual ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint) => inner.SuspendAsync(log, checkpoint);

    public virtual ValueTask<ApprovalDecisionResult> DecideAsync(string runId, ApprovalDecision decision, CancellationToken cancellationToken) =>
        inner.DecideAsync(runId, decision, cancellationToken);

    public virtual ValueTask<IReadOnlyList<ApprovalDecision>> DecisionsAsync(string runId, CancellationToken cancellationToken) =>
        inner.DecisionsAsync(runId, cancellationToken);

    public virtual ValueTask<ClaimedCheckpoint?> ClaimAsync(string runId, string? stopping, CancellationToken cancellationToken) =>
        inner.ClaimAsync(runId, stopping, cancellationToken);

    public virtual ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner) =>
        inner.ReopenAsync(checkpoint, running, owner);

    public virtual ValueTask<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken) => inner.DueAsync(cancellationToken);
}
