namespace StreamingApi.Limits;

/// <summary>
/// The runs each caller has in progress, counted from their start to their end (not their request's), and the slots
/// admission has reserved for runs about to start. A slot is reserved when a request is admitted, in the same step as
/// the count is checked, so that requests admitted at the same instant cannot all pass the limit; the run takes its
/// slot over when it starts (<see cref="StartedAsync"/>), or the request gives it back (<see cref="ReleaseAsync"/>).
/// </summary>
public interface IConcurrentRuns
{
    /// <summary>The caller's runs in progress and reserved slots.</summary>
    ValueTask<int> CountAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves the slot <paramref name="reservation"/> for a run of the caller's if it has fewer than
    /// <paramref name="limit"/> runs in progress and reserved slots, checked and taken in one step; false when it has not.
    /// </summary>
    ValueTask<bool> TryReserveAsync(string key, string reservation, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The run has started: it takes over <paramref name="reservation"/> (the slot its request was admitted with), or,
    /// with none, is counted on its own.
    /// </summary>
    ValueTask StartedAsync(string key, string runId, string? reservation);

    /// <summary>The request that reserved the slot has ended: the slot is freed unless a run has taken it over.</summary>
    ValueTask ReleaseAsync(string key, string reservation);

    ValueTask EndedAsync(string key, string runId);
}
