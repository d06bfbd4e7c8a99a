namespace StreamingApi.Runs;

/// <summary>
/// What a reader going away means, decided in this one place. A run started for a client's stream goes on for a
/// grace period after its last reader left, so a client whose connection broke can come back and continue; if none
/// does in time, the run is stopped as <c>client-disconnected</c>. A grace of zero stops it at once. Runs started
/// in the background (<c>POST /runs</c>) have no grace and never stop for their readers. Readers on other instances
/// (<paramref name="readersElsewhere"/>) count too: while there are some, the run goes on, and they are looked for
/// every quarter of the grace (not more often than every second), so that the grace of a client that leaves there
/// runs from about when it left (three quarters of it at the least), not from the next look, which could come at once.
/// </summary>
internal sealed class DetachGrace(TimeSpan grace, TimeProvider time, Action<string> stop, Func<ValueTask<bool>> readersElsewhere) : IDisposable
{
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private long? _seenElsewhere; // when the last look found readers elsewhere, since the last reader here left
    private bool _disposed;

    private readonly TimeSpan _look = TimeSpan.FromTicks(Math.Clamp(grace.Ticks / 4, Math.Min(TimeSpan.TicksPerSecond, grace.Ticks), grace.Ticks));

    /// <summary>Called with the run's number of readers whenever it changes, in order.</summary>
    public void ReadersChanged(int readers)
    {
        lock (_gate)
        {
            if (readers > 0)
            {
                _timer?.Dispose();
                _timer = null;
                _seenElsewhere = null;
                return;
            }
            if (_disposed || _timer is not null) return;
            if (grace > TimeSpan.Zero)
            {
                _timer = time.CreateTimer(static state => ((DetachGrace)state!).Expire(), this, grace, Timeout.InfiniteTimeSpan);
                return;
            }
        }
        // No grace: the run stops now, as the last reader leaves (outside this lock: the stop reaches the model and the tools).
        stop(StopReasons.ClientDisconnected);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private async void Expire()
    {
        ITimer? timer;
        lock (_gate)
        {
            timer = _timer;
            if (timer is null || _disposed) return; // a reader came back just in time
        }
        bool? elsewhere;
        try
        {
            elsewhere = await readersElsewhere();
        }
        catch (Exception)
        {
            elsewhere = null; // the store is out of reach: no reader can be counted on, and the run's own writes fail anyway
        }
        lock (_gate)
        {
            if (_timer != timer || _disposed) return;
            if (elsewhere == true)
            {
                _seenElsewhere = time.GetTimestamp();
                timer.Change(_look, Timeout.InfiniteTimeSpan);
                return;
            }
            // The last reader elsewhere left since the last look: its grace runs from that look.
            var left = elsewhere == false && _seenElsewhere is { } seen ? grace - time.GetElapsedTime(seen) : TimeSpan.Zero;
            if (left > TimeSpan.Zero)
            {
                timer.Change(left < _look ? left : _look, Timeout.InfiniteTimeSpan);
                return;
            }
        }
        stop(StopReasons.ClientDisconnected);
    }
}
