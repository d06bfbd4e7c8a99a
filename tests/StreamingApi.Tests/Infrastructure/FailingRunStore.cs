using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// A run store whose every call throws <paramref name="failure"/>: how a test meets a failure of the server's own (not
/// the client's) without reaching into the app.
/// </summary>
public sealed class FailingRunStore(Exception failure) : IRunStore
{
    public ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken) => throw failure;

    public ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken) => throw failure;

    public ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken) => throw failure;

    public ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken) => throw failure;

    public ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone) => throw failure;

    public ValueTask<bool> RequestStopAsync(string runId, string reason, CancellationToken cancellationToken) => throw failure;

    public ValueTask<bool> HasReadersElsewhereAsync(string runId, CancellationToken cancellationToken) => throw failure;

    public ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint) => throw failure;

    public ValueTask<ApprovalDecisionResult> DecideAsync(string runId, ApprovalDecision decision, CancellationToken cancellationToken) =>
        throw failure;

    public ValueTask<ClaimedCheckpoint?> ClaimAsync(string runId, string? stopping, CancellationToken cancellationToken) => throw failure;

    public ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner) => throw failure;

    public ValueTask<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken) => throw failure;
}
