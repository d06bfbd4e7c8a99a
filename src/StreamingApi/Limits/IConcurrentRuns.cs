namespace StreamingApi.Limits;

/// <summary>
/// The runs each caller has in progress, counted from their start to their end (not their request's), and the slots
/// admission has reserved for runs about to start. A slot is reserved when a request is admitted, in the same step as
/// the count is checked (by the caller's limits, <see cref="ICallerLimits"/>), so that requests admitted at the same
/// instant cannot all pass the limit; the run takes its slot over when it starts (<see cref="StartedAsync"/>), or the
/// request gives it back (<see cref="ReleaseAsync"/>); which of the two is decided on the instance (<see cref="AdmittedRuns"/>).
/// </summary>
public interface IConcurrentRuns
{
    /// <summary>The caller's runs in progress and reserved slots.</summary>
    ValueTask<int> CountAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// The run has started: it takes over <paramref name="reservation"/> (the slot its request was admitted with), or,
    /// with none, is counted on its own.
    /// </summary>
    ValueTask StartedAsync(string key, string runId, string? reservation);

    /// <summary>The request that reserved the slot has ended without a run to take it over: the slot is freed.</summary>
    ValueTask ReleaseAsync(string key, string reservation);

    /// <summary>
    /// The run has ended, or waits for its client: it no longer counts, whether it held the slot <paramref name="reservation"/>
    /// its request was admitted with or was counted on its own.
    /// </summary>
    ValueTask EndedAsync(string key, string runId, string? reservation);
}
