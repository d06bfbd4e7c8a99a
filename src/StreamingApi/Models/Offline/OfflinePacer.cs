namespace StreamingApi.Models.Offline;

/// <summary>
/// One clock for every paced offline stream. Ten thousand streams at 20 tokens/s would otherwise arm 200,000
/// timers a second; here they wait in one queue that a single 1 ms timer drains while anyone is waiting.
/// A stopped run's wait ends at once, through its cancellation token.
/// </summary>
public sealed class OfflinePacer : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private readonly PriorityQueue<Waiter, long> _waiting = new();
    private readonly List<Waiter> _due = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private bool _ticking;

    public OfflinePacer(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(_ => Release(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Completes when <paramref name="dueTimestamp"/> (a <see cref="TimeProvider.GetTimestamp"/> value) has passed.</summary>
    public Task WaitUntilAsync(long dueTimestamp, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_time.GetTimestamp() >= dueTimestamp) return Task.CompletedTask;
        var waiter = new Waiter(cancellationToken);
        lock (_gate)
        {
            _waiting.Enqueue(waiter, dueTimestamp);
            if (!_ticking)
            {
                _ticking = true;
                _timer.Change(Tick, Tick);
            }
        }
        return waiter.Task;
    }

    public void Dispose() => _timer.Dispose();

    private void Release()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            while (_waiting.TryPeek(out var waiter, out var due) && due <= now)
            {
                _waiting.Dequeue();
                _due.Add(waiter);
            }
            if (_waiting.Count == 0 && _ticking)
            {
                _ticking = false;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            foreach (var waiter in _due) waiter.Release();
            _due.Clear();
        }
    }

    private sealed class Waiter : TaskCompletionSource
    {
        private readonly CancellationTokenRegistration _registration;

        public Waiter(CancellationToken cancellationToken) : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).TrySetCanceled(token), this);
        }

        public void Release()
        {
            _registration.Unregister();
            TrySetResult();
        }
    }
}
