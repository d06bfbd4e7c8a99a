using System.Threading.Tasks.Sources;

namespace StreamingApi.Runs.Memory;

/// <summary>
/// What one reader awaits while it has caught up: <see cref="Release"/> wakes it, or, when it is not waiting, makes
/// its next wait return at once. Reused for every wait, so a reader that waits for each of many events allocates
/// nothing. The writer of the run wakes its readers on its own thread (<c>inline</c>: the frame leaves without another
/// trip through the thread pool); timers and cancellations wake them on the thread pool.
/// </summary>
internal sealed class ReaderSignal : IValueTaskSource<bool>
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Released = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>Completes when <see cref="Release"/> is called (or was, since the last wait). One waiter at a time.</summary>
    public ValueTask<bool> WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Released) == Released) return new ValueTask<bool>(true);
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle) return new ValueTask<bool>(this, _core.Version);
        Volatile.Write(ref _state, Idle); // released between the two checks
        return new ValueTask<bool>(true);
    }

    public void Release(bool inline = false)
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Waiting when Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting:
                    _core.RunContinuationsAsynchronously = !inline;
                    _core.SetResult(true);
                    return;
                case Idle when Interlocked.CompareExchange(ref _state, Released, Idle) == Idle:
                    return;
                case Released:
                    return;
            }
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
