namespace StreamingApi.Runs.Memory;

/// <summary>A reader of a <see cref="MemoryRunLog"/>: takes events from the log in batches of up to 32, one lock per batch.</summary>
internal sealed class MemoryRunReader : IRunReader
{
    private readonly MemoryRunLog _log;
    private readonly MemoryRunLog.Cursor _cursor;
    private readonly CancellationToken _gone;
    private readonly CancellationTokenRegistration _wakeWhenGone;
    private const int LargestBatch = 32;

    // A paced run has an event or two waiting at a time, a fast one many: the batch grows when the reader fills it.
    private RunEvent[] _batch = new RunEvent[2];
    private int _index;
    private int _count;
    private int _disposed;
    private RunSnapshot? _snapshot;

    /// <param name="snapshot">What the reader gives first, when it starts after a position no longer held.</param>
    public MemoryRunReader(MemoryRunLog log, MemoryRunLog.Cursor cursor, CancellationToken gone, RunSnapshot? snapshot = null)
    {
        _snapshot = snapshot;
        _log = log;
        _cursor = cursor;
        _gone = gone;
        // One registration for the reader's whole life, not one per wait: a reader whose client left is woken like
        // one that has a new event, and then sees why.
        _wakeWhenGone = gone.UnsafeRegister(static state => ((ReaderSignal)state!).Release(), cursor.Signal);
    }

    public string RunId => _log.RunId;

    public bool TryRead(out RunEvent entry)
    {
        if (_snapshot is { } snapshot)
        {
            _snapshot = null;
            entry = new RunEvent(snapshot.Sequence, snapshot);
            return true;
        }
        if (_index == _count)
        {
            if (_count == _batch.Length && _batch.Length < LargestBatch) _batch = new RunEvent[_batch.Length * 2];
            _index = 0;
            _count = _log.Take(_cursor, _batch);
            if (_count == 0)
            {
                entry = default;
                return false;
            }
        }
        entry = _batch[_index];
        _batch[_index++] = default;
        return true;
    }

    public ValueTask<bool> WaitToReadAsync() => _index < _count || _snapshot is not null ? new ValueTask<bool>(true) : WaitForEventAsync();

    public void Interrupt() => _cursor.Signal.Release();

    /// <summary>
    /// The reader's own signal, awaited by the caller itself: a wait costs neither a state machine nor a hop through one
    /// (under thousands of held streams, a pooled one was often made anew).
    /// </summary>
    private ValueTask<bool> WaitForEventAsync()
    {
        _gone.ThrowIfCancellationRequested();
        if (_log.Poll(_cursor) is { } ready) return new ValueTask<bool>(ready);
        // Woken because the client left: true, with nothing to read (as after an interrupt), rather than an exception;
        // the owner sees its token, and a next wait throws.
        return _cursor.Signal.WaitAsync();
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return ValueTask.CompletedTask;
        _wakeWhenGone.Dispose();
        _log.Leave(_cursor, delivered: _cursor.Next - (_count - _index));
        return ValueTask.CompletedTask;
    }
}
