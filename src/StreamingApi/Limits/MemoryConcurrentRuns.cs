namespace StreamingApi.Limits;

/// <summary>
/// The runs each caller has in progress on this instance (<c>Runs:Store</c> = <c>memory</c>). One lock over every
/// caller: each step under it is a few dictionary and set operations, and one lock lets an idle caller's entry go
/// without a race against a reservation being made for it.
/// </summary>
public sealed class MemoryConcurrentRuns : IConcurrentRuns
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Caller> _callers = [];

    public ValueTask<int> CountAsync(string key, CancellationToken cancellationToken)
    {
        lock (_lock) return ValueTask.FromResult(_callers.TryGetValue(key, out var caller) ? caller.Count : 0);
    }

    /// <summary>
    /// Reserves the slot <paramref name="reservation"/> for a run of the caller's if it has fewer than
    /// <paramref name="limit"/> runs in progress and reserved slots, checked and taken in one step; false when it has not.
    /// </summary>
    public ValueTask<bool> TryReserveAsync(string key, string reservation, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var caller = CallerOf(key);
            if (caller.Count >= limit) return ValueTask.FromResult(false);
            caller.Reserved.Add(reservation);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask StartedAsync(string key, string runId, string? reservation)
    {
        lock (_lock)
        {
            var caller = CallerOf(key);
            // The slot becomes the run's: the count stays as it is. Without one, the run is counted on its own.
            if (reservation is not null) caller.Reserved.Remove(reservation);
            caller.Running++;
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(string key, string reservation)
    {
        lock (_lock)
        {
            if (_callers.TryGetValue(key, out var caller) && caller.Reserved.Remove(reservation)) ForgetIfIdle(key, caller);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask EndedAsync(string key, string runId, string? reservation)
    {
        lock (_lock)
        {
            if (_callers.TryGetValue(key, out var caller))
            {
                caller.Running = Math.Max(0, caller.Running - 1);
                ForgetIfIdle(key, caller);
            }
        }
        return ValueTask.CompletedTask;
    }

    private Caller CallerOf(string key)
    {
        if (!_callers.TryGetValue(key, out var caller)) _callers[key] = caller = new Caller();
        return caller;
    }

    private void ForgetIfIdle(string key, Caller caller)
    {
        if (caller.Count == 0) _callers.Remove(key);
    }

    private sealed class Caller
    {
        public int Running;
        public readonly HashSet<string> Reserved = [];

        public int Count => Running + Reserved.Count;
    }
}
