using StreamingApi.Agents;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// One run's numbered events in this process. Each event's JSON is made once, as it is appended, and kept
/// (<see cref="CompactEvents"/>): every reader's frames, and the Redis stream, carry those bytes. It holds what some
/// reader has not taken yet (the records, beside their JSON), plus <c>replayWindow</c> events behind the slowest reader
/// (with no reader: the latest events), as JSON only, for a client whose connection broke with frames in flight and
/// that comes back after the last one it saw. Everything older is let go, so memory does not grow with the run's length, and the run waits
/// while a reader is <c>maxBacklog</c> behind. What was let go lives on in the run's <see cref="RunSnapshot"/>, kept as
/// events are appended: a reader that asks for a position no longer held starts from it. The run's last events (its
/// <c>error</c> and <c>done</c>) are kept whatever the window, so that every reader ends with them.
/// </summary>
internal sealed class MemoryRunLog : IRunLog
{
    private readonly Lock _gate = new();
    private readonly Lock _presence = new(); // orders the readers-changed notices, which are given outside _gate
    private readonly EventRing _events; // from the slowest reader's place on: not yet taken by every reader
    private readonly CompactEvents _encoded; // every held event's JSON: the replay window (taken by every reader), then _events' own
    private readonly List<Cursor> _cursors = []; // the readers, and the place of a reader that left and may come back
    private readonly List<Cursor> _toWake = [];
    private readonly RunSnapshotBuilder _snapshot; // every event appended, up to the run's last events
    private RunEvent[] _end = []; // the run's last events, from _endStart on
    private long _endStart = long.MaxValue;
    private readonly int _replayWindow;
    private readonly int _maxBacklog;
    private readonly bool _holdForReturningReader;
    private Action<int> _readersChanged; // the owner's; while the run waits for approvals, and once it has completed, no one's
    private List<MemoryWaiting>? _waits; // made when the run first waits for approvals: most never do
    private readonly Action<MemoryRunLog> _completed;
    private RunRecord _record;
    private bool _isCompleted;
    private bool _handedOff;
    private TaskCompletionSource? _writerWaiting;

    /// <param name="readersChanged">Told the number of readers whenever it changes, in order, outside the log's lock
    /// (it may stop the run at once).</param>
    /// <param name="completed">Told when the run has completed.</param>
    /// <param name="from">Where the run was, when it goes on here after it waited elsewhere (its events go on after it).</param>
    public MemoryRunLog(RunRecord record, int replayWindow, int maxBacklog, bool holdForReturningReader, Action<int> readersChanged,
        Action<MemoryRunLog> completed, RunEventCodec codec, RunSnapshot? from = null)
    {
        _events = new EventRing((from?.Sequence ?? 0) + 1);
        StartSequence = _events.FirstSequence;
        _snapshot = from is null ? new RunSnapshotBuilder() : new RunSnapshotBuilder(from);
        _record = record;
        _encoded = new CompactEvents(codec);
        _replayWindow = Math.Max(0, replayWindow);
        _maxBacklog = Math.Max(1, maxBacklog);
        _holdForReturningReader = holdForReturningReader;
        _readersChanged = readersChanged;
        _completed = completed;
    }

    /// <summary>Told of readers while the log has no owner: no one.</summary>
    private static readonly Action<int> NoOwner = static _ => { };

    public string RunId => _record.RunId;

    public RunRecord Record
    {
        get
        {
            lock (_gate) return _record with { LastSequence = _events.NextSequence - 1 };
        }
    }

    /// <summary>The run's answer so far, its end included once it has ended.</summary>
    public RunSnapshot Output
    {
        get
        {
            RunSnapshot snapshot;
            RunEvent[] end;
            lock (_gate)
            {
                snapshot = _snapshot.Build();
                end = _end;
            }
            if (end.Length == 0) return snapshot;
            var ended = new RunSnapshotBuilder(snapshot);
            foreach (var entry in end) ended.Apply(entry);
            return ended.Build();
        }
    }

    /// <summary>The run's current wait for approvals, or null when it never waited.</summary>
    public MemoryWaiting? Waiting
    {
        get
        {
            lock (_gate) return _waits?[^1];
        }
    }

    /// <summary>The wait that asked for the approval, or null.</summary>
    public MemoryWaiting? WaitingFor(string approvalId)
    {
        lock (_gate)
        {
            for (var i = (_waits?.Count ?? 0) - 1; i >= 0; i--)
                if (_waits![i].Holds(approvalId)) return _waits[i];
            return null;
        }
    }

    /// <summary>The run waits: its writer lets go, its readers stay and wait, and no one is told of them until it goes on.</summary>
    public void Suspend(RunCheckpoint checkpoint)
    {
        lock (_presence)
        {
            lock (_gate)
            {
                if (_isCompleted) throw new InvalidOperationException($"Run {RunId} has completed: it cannot wait.");
                _record = checkpoint.Record with { LastSequence = _events.NextSequence - 1 };
                (_waits ??= []).Add(new MemoryWaiting(checkpoint));
                _readersChanged = NoOwner;
            }
        }
    }

    /// <summary>The first sequence this log has held (later than 1 for a run taken up here after it waited elsewhere).</summary>
    public long StartSequence { get; private set; } = 1;

    /// <summary>Whether the log was handed off (<see cref="HandOff"/>): its readers go on reading elsewhere.</summary>
    public bool IsHandedOff
    {
        get
        {
            lock (_gate) return _handedOff;
        }
    }

    /// <summary>
    /// The run waits, and whoever takes it up (any instance) will write it elsewhere: this log ends without last events,
    /// its readers take what it holds and then go on from the shared store (see <see cref="IsHandedOff"/>).
    /// </summary>
    public void HandOff()
    {
        TaskCompletionSource? writer;
        lock (_gate)
        {
            if (_isCompleted) return;
            _isCompleted = true;
            _handedOff = true;
            _cursors.RemoveAll(c => c.IsPlaceHolder);
            foreach (var cursor in _cursors)
            {
                if (!cursor.Waiting) continue;
                cursor.Waiting = false;
                _toWake.Add(cursor);
            }
            writer = TakeWriter();
        }
        WakeReaders();
        writer?.TrySetResult();
    }

    /// <summary>The run goes on, written by a new owner, who is told of its readers from now on.</summary>
    public void Reopen(RunRecord running, Action<int> readersChanged)
    {
        lock (_presence)
        {
            lock (_gate)
            {
                _record = running;
                _readersChanged = readersChanged;
            }
        }
    }

    /// <summary>How many events are held now (for tests and diagnostics).</summary>
    public int HeldCount
    {
        get
        {
            lock (_gate) return (int)(_events.NextSequence - FirstHeld);
        }
    }

    public ValueTask AppendAsync(AgentEvent @event, CancellationToken cancellationToken) => AppendAsync(@event, out _, cancellationToken);

    /// <param name="json">The event's JSON as made and kept here, for a store that sends it on (Redis).</param>
    internal ValueTask AppendAsync(AgentEvent @event, out ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var made = _encoded.Encode(@event); // outside the lock: readers take their events meanwhile
        bool backlogFull;
        lock (_gate)
        {
            if (_isCompleted) throw new InvalidOperationException($"Run {RunId} has completed: nothing can be appended.");
            var sequence = _events.NextSequence;
            json = _encoded.Add(sequence, @event.EventType, made);
            _events.Add(@event, json);
            _snapshot.Apply(sequence, @event);
            backlogFull = Settle(wakeReaders: true);
        }
        WakeReaders();
        return backlogFull ? WaitForReadersAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(IReadOnlyList<AgentEvent> lastEvents, RunRecord end)
    {
        Complete(lastEvents, end);
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes the run and gives its last events with their JSON as made and kept here, for a store that sends them on (Redis).</summary>
    internal IReadOnlyList<RunEvent> Complete(IReadOnlyList<AgentEvent> lastEvents, RunRecord end)
    {
        TaskCompletionSource? writer;
        RunEvent[] last;
        lock (_gate)
        {
            if (_isCompleted) throw new InvalidOperationException($"Run {RunId} has already completed.");
            _endStart = _events.NextSequence;
            last = new RunEvent[lastEvents.Count];
            for (var i = 0; i < last.Length; i++)
            {
                var json = _encoded.Add(_endStart + i, lastEvents[i]);
                _events.Add(lastEvents[i], json);
                last[i] = new RunEvent(_endStart + i, lastEvents[i], json);
            }
            _end = last;
            _isCompleted = true;
            _record = end;
            // Its owner has ended: the readers that leave from now on stop nothing, and the log, kept for its retention,
            // keeps the run's plan and context no longer.
            _readersChanged = NoOwner;
            _cursors.RemoveAll(c => c.IsPlaceHolder);
            foreach (var cursor in _cursors)
            {
                if (!cursor.Waiting) continue;
                cursor.Waiting = false;
                _toWake.Add(cursor);
            }
            Settle(wakeReaders: true);
            _events.TrimExcess();
            writer = TakeWriter();
        }
        WakeReaders();
        _toWake.TrimExcess(); // the last wake-up: a completed log, kept for its retention, keeps no room for another
        writer?.TrySetResult();
        _completed(this);
        return last;
    }

    /// <summary>
    /// A reader from after <paramref name="afterSequence"/>; when that event is no longer held, from the run's snapshot
    /// (of every event but its last ones, once it has ended), then the events after it.
    /// </summary>
    public RunOpening Open(long afterSequence, CancellationToken readerGone)
    {
        Cursor cursor;
        RunSnapshot? snapshot = null;
        lock (_presence)
        {
            int readers;
            lock (_gate)
            {
                var next = Math.Max(1, afterSequence + 1);
                if (_isCompleted && next >= _events.NextSequence) return RunOpening.Ended;
                if (next < FirstHeld && next < _endStart)
                {
                    snapshot = _snapshot.Build();
                    next = snapshot.Sequence + 1;
                }
                _cursors.RemoveAll(c => c.IsPlaceHolder); // someone came back: the held place is theirs to replace
                cursor = new Cursor(next);
                _cursors.Add(cursor);
                readers = ReaderCount();
            }
            _readersChanged(readers);
        }
        return new RunOpening(RunOpeningStatus.Opened, new MemoryRunReader(this, cursor, readerGone, snapshot));
    }

    /// <summary>Moves up to <c>batch.Length</c> events from the log to the reader.</summary>
    internal int Take(Cursor cursor, Span<RunEvent> batch)
    {
        TaskCompletionSource? writer = null;
        int taken;
        lock (_gate)
        {
            // A reader that came back for events every other reader had taken reads them from the replay window first.
            taken = 0;
            while (taken < batch.Length && cursor.Next < _events.FirstSequence) batch[taken++] = Taken(cursor.Next++);
            if (cursor.Next >= _events.FirstSequence)
            {
                var copied = _events.CopyFrom(cursor.Next, batch[taken..]);
                cursor.Next += copied;
                taken += copied;
            }
            if (_writerWaiting is not null && Backlog() <= _maxBacklog * 3 / 4) writer = TakeWriter();
        }
        writer?.TrySetResult();
        return taken;
    }

    /// <summary>True when an event is there for the reader; false when the run completed and it read everything; null when it has to wait (and is then woken).</summary>
    internal bool? Poll(Cursor cursor)
    {
        lock (_gate)
        {
            if (cursor.Next < _events.NextSequence) return true;
            if (_isCompleted) return false;
            cursor.Waiting = true;
            return null;
        }
    }

    internal void Leave(Cursor cursor, long delivered)
    {
        lock (_presence)
        {
            TaskCompletionSource? writer;
            int readers;
            lock (_gate)
            {
                if (!_cursors.Remove(cursor)) return;
                readers = ReaderCount();
                if (readers == 0 && _holdForReturningReader && !_isCompleted) _cursors.Add(Cursor.PlaceHolder(delivered));
                else if (_cursors.Count == 0 && _isCompleted) _cursors.TrimExcess(); // read to its end: no room kept for readers while it is retained
                Settle(wakeReaders: false);
                writer = _writerWaiting is not null && Backlog() <= _maxBacklog * 3 / 4 ? TakeWriter() : null;
            }
            // The run is told before its writer may go on, so that a run stopped at once writes nothing more.
            _readersChanged(readers);
            writer?.TrySetResult();
        }
    }

    /// <summary>
    /// Under the lock: picks the waiting readers that now have events to be woken (by the writer, which alone calls
    /// this with <paramref name="wakeReaders"/>), lets go of what no one needs, and says whether the backlog is full.
    /// </summary>
    private bool Settle(bool wakeReaders)
    {
        var next = _events.NextSequence;
        var slowest = long.MaxValue;
        foreach (var cursor in _cursors)
        {
            if (wakeReaders && cursor.Waiting && cursor.Next < next)
            {
                cursor.Waiting = false;
                _toWake.Add(cursor);
            }
            slowest = Math.Min(slowest, cursor.Next);
        }
        // What every reader has taken lets go of its record; its JSON stays for the replay window, which keeps the latest of it.
        var untaken = slowest == long.MaxValue ? next : slowest;
        _events.DropBefore(untaken);
        _encoded.DropBefore(untaken - _replayWindow);
        return slowest != long.MaxValue && next - slowest > _maxBacklog;
    }

    /// <summary>Under the lock: an event every reader had taken, from the replay window or the run's last events.</summary>
    private RunEvent Taken(long sequence) =>
        _encoded.Count > 0 && sequence >= _encoded.FirstSequence ? _encoded.Get(sequence) : _end[sequence - _endStart];

    /// <summary>Under the lock: the oldest sequence still held, in the replay window or not yet taken.</summary>
    private long FirstHeld => _encoded.Count > 0 ? _encoded.FirstSequence : _events.FirstSequence;

    /// <summary>Under the lock: how many events the slowest reader has still to take.</summary>
    private long Backlog()
    {
        var slowest = _events.NextSequence;
        foreach (var cursor in _cursors) slowest = Math.Min(slowest, cursor.Next);
        return _events.NextSequence - slowest;
    }

    private int ReaderCount()
    {
        var count = 0;
        foreach (var cursor in _cursors) if (!cursor.IsPlaceHolder) count++;
        return count;
    }

    private TaskCompletionSource? TakeWriter()
    {
        var writer = _writerWaiting;
        _writerWaiting = null;
        return writer;
    }

    /// <summary>Outside the lock. The list is the writer's own: appends and completion never run at once.</summary>
    private void WakeReaders()
    {
        foreach (var cursor in _toWake) cursor.Signal.Release(inline: true);
        _toWake.Clear();
    }

    private async ValueTask WaitForReadersAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_isCompleted || Backlog() <= _maxBacklog) return;
                _writerWaiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _writerWaiting.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A reader's place: the next sequence it will take.</summary>
    internal sealed class Cursor(long next)
    {
        public long Next = next;
        public bool Waiting;

        /// <summary>The place of a reader that left, kept for the client to come back to.</summary>
        public bool IsPlaceHolder { get; private init; }

        public ReaderSignal Signal { get; } = new();

        public static Cursor PlaceHolder(long next) => new(next) { IsPlaceHolder = true };
    }
}
