using System.Threading.Tasks.Sources;

namespace StreamingApi.Models.Offline;

/// <summary>
/// One clock for every paced offline stream. Ten thousand streams at 20 tokens/s would otherwise arm 200,000
/// timers a second; here they wait in one queue ordered by due time, and a single one-shot timer is armed for the
/// earliest of them: it wakes only when some stream is due (streams due within the same millisecond share a wake-up)
/// and not at all while nobody waits, so a stream that waits a second for its next token costs nothing meanwhile.
/// Each stream waits through one <see cref="Waiter"/> of its own, reused for every token, so a paced token allocates
/// nothing; a stopped run's wait ends at once, through its cancellation token, and says so rather than throw: a stop
/// is the usual end of an abandoned stream, and an exception would be thrown again by every await above it.
/// </summary>
public sealed class OfflinePacer : IDisposable
{
    /// <summary>The shortest time the clock is armed for: the resolution of .NET's timers.</summary>
    private static readonly long Resolution = TimeSpan.TicksPerMillisecond;

    private readonly PriorityQueue<(Waiter Waiter, int Wait), long> _waiting = new();
    private readonly List<(Waiter Waiter, int Wait)> _due = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _armedFor = long.MaxValue; // the due timestamp the timer is armed for; MaxValue: off

    public OfflinePacer(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static state => ((OfflinePacer)state!).Release(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A stream's own way to wait on the clock, until <paramref name="cancellationToken"/> fires.</summary>
    public Waiter CreateWaiter(CancellationToken cancellationToken) => new(this, cancellationToken);

    public void Dispose() => _timer.Dispose();

    private void Enqueue(Waiter waiter, int wait, long dueTimestamp)
    {
        lock (_gate)
        {
            _waiting.Enqueue((waiter, wait), dueTimestamp);
            if (dueTimestamp < _armedFor) Arm(dueTimestamp, _time.GetTimestamp());
        }
    }

    /// <summary>Arms the clock for <paramref name="dueTimestamp"/>, rounded up to its resolution (under the lock).</summary>
    private void Arm(long dueTimestamp, long now)
    {
        _armedFor = dueTimestamp;
        var ticks = (long)Math.Ceiling((dueTimestamp - now) * (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency / Resolution) * Resolution;
        _timer.Change(TimeSpan.FromTicks(Math.Max(Resolution, ticks)), Timeout.InfiniteTimeSpan);
    }

    /// <summary>On the clock: ends every wait that is due, and arms the clock for the next one, if any.</summary>
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
            if (_waiting.TryPeek(out _, out var next)) Arm(next, now);
            else _armedFor = long.MaxValue;
            foreach (var (waiter, wait) in _due) waiter.Complete(wait, canceled: false);
            _due.Clear();
        }
    }

    /// <summary>
    /// One stream's wait on the clock: one wait at a time, each identified, so a stale entry never ends a later one.
    /// A wait that ends goes on in a work item of its own in the thread pool's shared queue, in turn with the rest of
    /// the server's work (new connections among it), rather than in the local queue of the thread that drained the
    /// clock: under load, ten thousand streams' tokens would otherwise be served before any new stream could start.
    /// </summary>
    public sealed class Waiter : IValueTaskSource<bool>, IThreadPoolWorkItem, IDisposable
    {
        private readonly OfflinePacer _pacer;
        private readonly CancellationToken _cancellationToken;
        private readonly CancellationTokenRegistration _registration;
        private ManualResetValueTaskSourceCore<bool> _core; // its continuation runs in this waiter's work item
        private int _wait; // the current wait's number, odd while it is pending
        private bool _canceled;

        internal Waiter(OfflinePacer pacer, CancellationToken cancellationToken)
        {
            _pacer = pacer;
            _cancellationToken = cancellationToken;
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.UnsafeRegister(static state => ((Waiter)state!).Cancel(), this);
        }

        /// <summary>
        /// Completes with true when <paramref name="dueTimestamp"/> (a <see cref="TimeProvider.GetTimestamp"/> value) has
        /// passed, or with false, never an exception, as soon as the cancellation token fires (at once if it has).
        /// </summary>
        public ValueTask<bool> WaitUntilAsync(long dueTimestamp)
        {
            if (_cancellationToken.IsCancellationRequested) return new ValueTask<bool>(false);
            if (_pacer._time.GetTimestamp() >= dueTimestamp) return new ValueTask<bool>(true);
            _core.Reset();
            var wait = Interlocked.Increment(ref _wait); // odd: pending
            _pacer.Enqueue(this, wait, dueTimestamp);
            if (_cancellationToken.IsCancellationRequested) Complete(wait, canceled: true);
            return new ValueTask<bool>(this, _core.Version);
        }

        public void Dispose() => _registration.Dispose();

        internal void Complete(int wait, bool canceled)
        {
            if (Interlocked.CompareExchange(ref _wait, wait + 1, wait) != wait) return; // ended already, or a stale entry
            _canceled = canceled;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        void IThreadPoolWorkItem.Execute()
        {
            _core.SetResult(!_canceled);
        }

        private void Cancel()
        {
            var wait = Volatile.Read(ref _wait);
            if ((wait & 1) == 1) Complete(wait, canceled: true);
        }

        bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
