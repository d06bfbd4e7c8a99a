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
}

/// <summary>The run a store keeps a log for, as the store sees it: told of its readers and of stops asked elsewhere.</summary>
public interface IRunOwner
{
    /// <summary>
    /// When its last reader leaves, the log keeps that reader's place (and waits for it as for a slow reader), so a
    /// client that comes back misses nothing.
    /// </summary>
    bool HoldsPlaceForReturningReader { get; }

    /// <summary>The number of the run's readers on this instance, whenever it changes. Must not block.</summary>
    void ReadersChanged(int readers);

    /// <summary>A stop asked for on another instance.</summary>
    void StopRequested(string reason);

    /// <summary>The store can no longer keep the run's events (its connection was lost): the run fails.</summary>
    void StoreFailed(Exception exception);
}

/// <summary>The run store is out of reach: nothing can be started, read or kept until it is back.</summary>
public sealed class RunStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One run's events as the run writes them. One writer: appends and the completion are never concurrent.</summary>
public interface IRunLog
{
    string RunId { get; }

    /// <summary>
    /// Numbers and stores the event. Waits, as a slow TCP peer would make a writer wait, while a reader has
    /// <see cref="RunOptions.MaxBacklogEvents"/> events still to take; <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    ValueTask AppendAsync(Agents.AgentEvent @event, CancellationToken cancellationToken);

    /// <summary>Appends the run's last events without waiting for readers, records its end, and ends every reader after them.</summary>
    ValueTask CompleteAsync(IReadOnlyList<Agents.AgentEvent> lastEvents, RunRecord end);
}

/// <summary>One reader of a run's events, from a position onwards, live until the run completes.</summary>
public interface IRunReader : IAsyncDisposable
{
    string RunId { get; }

    /// <summary>The next event, when one is waiting.</summary>
    bool TryRead(out RunEvent entry);

    /// <summary>
    /// Waits until an event may be read (true) or the run has completed and every event was read (false). It may also
    /// return true with nothing to read, after <see cref="Interrupt"/>.
    /// </summary>
    ValueTask<bool> WaitToReadAsync();

    /// <summary>Ends a pending <see cref="WaitToReadAsync"/> early, so the reader's owner can write something else.</summary>
    void Interrupt();
}

public enum RunOpeningStatus
{
    /// <summary><see cref="RunOpening.Reader"/> is open.</summary>
    Opened,

    /// <summary>No such run: it never existed here, or it expired.</summary>
    Unknown,

    /// <summary>The run has finished and has no event after the position asked for.</summary>
    Ended,
}

/// <summary>The outcome of <see cref="IRunStore.OpenAsync"/>.</summary>
public readonly record struct RunOpening(RunOpeningStatus Status, IRunReader? Reader = null)
{
    public static RunOpening Unknown => new(RunOpeningStatus.Unknown);

    public static RunOpening Ended => new(RunOpeningStatus.Ended);
}
