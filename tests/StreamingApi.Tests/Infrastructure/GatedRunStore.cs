using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// Holds every run's start (its record's creation in the store) until the test opens the gate: requests admitted at
/// the same instant stay "about to start a run" for as long as the test needs them to be.
/// </summary>
public sealed class RunStartGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    /// <summary>Runs held at the gate so far (it counts them until it opens, and on).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Open() => _open.TrySetResult();

    internal async Task PassAsync()
    {
        Interlocked.Increment(ref _waiting);
        await _open.Task;
    }
}

/// <summary>The app's own run store, whose runs wait at a <see cref="RunStartGate"/> before they are created.</summary>
public sealed class GatedRunStore(IRunStore inner, RunStartGate gate) : IRunStore
{
    public async ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken)
    {
        await gate.PassAsync();
        return await inner.CreateAsync(record, owner, cancellationToken);
    }

    public ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken) => inner.FindAsync(runId, cancellationToken);

    public ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken) => inner.FindLatestAsync(threadId, cancellationToken);

    public ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken) => inner.OutputAsync(runId, cancellationToken);

    public ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone) => inner.OpenAsync(runId, afterSequence, readerGone);

    public ValueTask<bool> RequestStopAsync(string runId, string reason, CancellationToken cancellationToken) =>
        inner.RequestStopAsync(runId, reason, cancellationToken);

    public ValueTask<bool> HasReadersElsewhereAsync(string runId, CancellationToken cancellationToken) =>
        inner.HasReadersElsewhereAsync(runId, cancellationToken);

    public ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint) => inner.SuspendAsync(log, checkpoint);

    public ValueTask<ApprovalDecisionResult> DecideAsync(string runId, ApprovalDecision decision, CancellationToken cancellationToken) =>
        inner.DecideAsync(runId, decision, cancellationToken);

    public ValueTask<ClaimedCheckpoint?> ClaimAsync(string runId, string? stopping, CancellationToken cancellationToken) =>
        inner.ClaimAsync(runId, stopping, cancellationToken);

    public ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner) => inner.ReopenAsync(checkpoint, running, owner);

    public ValueTask<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken) => inner.DueAsync(cancellationToken);
}
