using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// Where runs keep their records and their numbered events: in this process (<see cref="Memory.MemoryRunStore"/>, the
/// default) or in Redis, shared by several instances. Endpoints and agents never see which; the run host writes,
/// readers read, on any instance.
/// </summary>
public interface IRunStore
{
    /// <summary>
    /// Creates the record and the event log of a new run that this instance executes for <paramref name="owner"/>.
    /// A record with a <see cref="RunRecord.ThreadId"/> also becomes its thread's latest run, before any event is written.
    /// </summary>
    ValueTask<IRunLog> CreateAsync(RunRecord record, IRunOwner owner, CancellationToken cancellationToken);

    /// <summary>The run's record, or null when no such run is known (never was, or has expired).</summary>
    ValueTask<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// The record of the latest run created for the thread, or null when there is none. The index holds one run per
    /// thread (the latest replaces the one before) and never outlives that run: once the run has expired, the thread
    /// has no latest run.
    /// </summary>
    ValueTask<RunRecord?> FindLatestAsync(string threadId, CancellationToken cancellationToken);

    /// <summary>The run's answer so far (its end included once it has ended), or null when no such run is known.</summary>
    ValueTask<RunSnapshot?> OutputAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a reader of the run's events after <paramref name="afterSequence"/> (0: from the first). When the events
    /// after it are no longer held, the reader gives the run's <see cref="RunSnapshot"/> first (as the event at the
    /// snapshot's sequence), then the events after that. The reader ends (throws
    /// <see cref="OperationCanceledException"/>) when <paramref name="readerGone"/> fires.
    /// </summary>
    ValueTask<RunOpening> OpenAsync(string runId, long afterSequence, CancellationToken readerGone);

    /// <summary>Asks the instance that executes the run to stop it; false when no instance is there to ask.</summary>
    ValueTask<bool> RequestStopAsync(string runId, string reason, CancellationToken cancellationToken);

    /// <summary>Whether the run has readers on other instances (which the run's own instance does not count).</summary>
    ValueTask<bool> HasReadersElsewhereAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// The run waits for approvals: its record says <see cref="RunStatus.Waiting"/>, the checkpoint is kept (with the
    /// deadline that the approval timeouts find it by), and its log stays open for readers, who simply wait; the writer
    /// (this instance's task) lets go of it. Nothing of the run stays on this instance that another could not take up.
    /// </summary>
    ValueTask SuspendAsync(IRunLog log, RunCheckpoint checkpoint);

    /// <summary>
    /// Records a decision on an approval of a waiting run (or a client's result for its tool's call: the decision's
    /// <see cref="ApprovalDecision.Output"/>), atomically: the first decision stands.
    /// </summary>
    ValueTask<ApprovalDecisionResult> DecideAsync(string runId, ApprovalDecision decision, CancellationToken cancellationToken);

    /// <summary>
    /// The answers recorded so far for a waiting run's requests (by <see cref="DecideAsync"/>), none when it does not wait:
    /// its events tell them only once it goes on, and a read of the run shows them before (<c>GET /runs/{runId}</c>).
    /// </summary>
    ValueTask<IReadOnlyList<ApprovalDecision>> DecisionsAsync(string runId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ApprovalDecision>>([]);

    /// <summary>
    /// Takes a waiting run's checkpoint, atomically (of all callers, on all instances, one gets it), once every approval
    /// is decided or its deadline has passed (those are denied, reason <c>timeout</c>); with <paramref name="stopping"/>,
    /// at once (the undecided ones denied with that reason). Null when the run does not wait, or not for that.
    /// </summary>
    ValueTask<ClaimedCheckpoint?> ClaimAsync(string runId, string? stopping, CancellationToken cancellationToken);

    /// <summary>The log of a claimed run, open for writing again by <paramref name="owner"/>: its sequence goes on where it stopped.</summary>
    ValueTask<IRunLog> ReopenAsync(RunCheckpoint checkpoint, RunRecord running, IRunOwner owner);

    /// <summary>The waiting runs to take up now (on any instance): past their deadline, or with every approval decided.</summary>
    ValueTask<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken);
}
