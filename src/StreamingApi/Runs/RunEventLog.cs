using System.Runtime.CompilerServices;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>An event of a run with its place in the run's sequence (counted from 1).</summary>
public readonly record struct RunEvent(long Sequence, AgentEvent Event);

/// <summary>
/// The numbered sequence of a run's events. The run appends; readers read from any position that is still held.
/// It holds every event until its first reader attaches (so the response that started the run misses nothing),
/// then every event some reader has not read yet, plus the last <c>replayWindow</c> events, for a reader that
/// comes back after sequence N (<c>ReadAsync(N)</c>). What all readers have passed beyond that window is let go,
/// so a long run costs memory in proportion to the window, not to its length.
/// </summary>
public sealed class RunEventLog(int replayWindow = RunEventLog.DefaultReplayWindow)
{
    public const int DefaultReplayWindow = 128;

    private readonly List<RunEvent> _events = [];
    private readonly List<Cursor> _readers = [];
    private readonly Lock _gate = new();
    private long _firstHeld = 1;
    private bool _everRead;
    private TaskCompletionSource? _waiting;
    private bool _completed;

    /// <summary>How many events the run has produced.</summary>
    public long Count
    {
        get { lock (_gate) return _firstHeld - 1 + _events.Count; }
    }

    /// <summary>The oldest sequence still held: a reader can resume after <c>FirstHeld - 1</c> or later.</summary>
    public long FirstHeld
    {
        get { lock (_gate) return _firstHeld; }
    }

    public bool IsCompleted
    {
        get { lock (_gate) return _completed; }
    }

    /// <summary>
    /// Wakes waiting readers because one was cancelled. Called from a cancellation callback: the readers resume on
    /// the thread pool, as the callback chain still has to reach the model and the tools at once.
    /// </summary>
    private void Wake()
    {
        TaskCompletionSource? waiting;
        lock (_gate) waiting = TakeWaiters();
        waiting?.TrySetResult(); // its continuations run on the thread pool (see ReadAsync)
    }

    /// <summary>The signal the waiting readers hold, to be set once the lock is released. Call under the lock.</summary>
    private TaskCompletionSource? TakeWaiters()
    {
        var waiting = _waiting;
        _waiting = null;
        return waiting;
    }

    public RunEvent Append(AgentEvent @event)
    {
        RunEvent entry;
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            if (_completed) throw new InvalidOperationException("The run's event log is already complete.");
            entry = new RunEvent(_firstHeld + _events.Count, @event);
            _events.Add(entry);
            LetGoOfReadEvents();
            waiting = TakeWaiters();
        }
        waiting?.TrySetResult();
        return entry;
    }

    /// <summary>Marks the log finished: readers end after the last event.</summary>
    public void Complete()
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            _completed = true;
            waiting = TakeWaiters();
        }
        waiting?.TrySetResult();
    }

    /// <summary>Every event after <paramref name="afterSequence"/>, waiting for new ones until the log completes.</summary>
    public async IAsyncEnumerable<RunEvent> ReadAsync(long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = new Cursor(Math.Max(0, afterSequence) + 1);
        lock (_gate)
        {
            if (cursor.Next < _firstHeld)
                throw new InvalidOperationException($"Events before {_firstHeld} are no longer held; the earliest that can be resumed after is {_firstHeld - 1}.");
            _readers.Add(cursor);
            _everRead = true;
        }

        var batch = new List<RunEvent>();
        // One registration for the whole read, not one per wait: a cancelled reader is woken like a new event would.
        using var wake = cancellationToken.UnsafeRegister(static state => ((RunEventLog)state!).Wake(), this);
        try
        {
            while (true)
            {
                Task? wait = null;
                lock (_gate)
                {
                    for (var i = (int)(cursor.Next - _firstHeld); i < _events.Count; i++) batch.Add(_events[i]);
                    cursor.Next += batch.Count;
                    if (batch.Count == 0 && !_completed)
                    {
                        // Readers resume on the thread pool, so the run and its writers work side by side
                        // (waking them inline measured a third slower in bench scenario 2).
                        _waiting ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        wait = _waiting.Task;
                    }
                }

                if (batch.Count == 0)
                {
                    if (wait is null) yield break;
                    await wait.ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }

                foreach (var entry in batch) yield return entry;
                batch.Clear();
            }
        }
        finally
        {
            lock (_gate) _readers.Remove(cursor);
        }
    }

    /// <summary>Drops, in chunks, what every reader has read and the replay window no longer covers.</summary>
    private void LetGoOfReadEvents()
    {
        if (!_everRead) return;
        var keepFrom = _firstHeld + _events.Count - replayWindow;
        foreach (var reader in _readers) keepFrom = Math.Min(keepFrom, reader.Next);
        var removable = (int)(keepFrom - _firstHeld);
        if (removable < Math.Max(64, replayWindow)) return;
        _events.RemoveRange(0, removable);
        _firstHeld += removable;
    }

    private sealed class Cursor(long next)
    {
        public long Next = next;
    }
}
