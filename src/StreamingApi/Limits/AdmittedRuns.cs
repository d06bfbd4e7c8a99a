namespace StreamingApi.Limits;

/// <summary>
/// The requests this instance has admitted whose runs have not started yet, each by the slot reserved for its run
/// (<see cref="RunReservation"/>). They count with the instance's runs against <see cref="RateLimitOptions.MaxActiveRuns"/>,
/// checked and counted in one step, so that requests admitted at the same instant cannot all pass it. Each slot then goes
/// one way only, decided here with no call to the store: taken over by its run when it starts (<see cref="TryTakeOver"/>),
/// or given back when its request ends without one (<see cref="TryGiveBack"/>).
/// </summary>
public sealed class AdmittedRuns
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _waiting = [];

    /// <summary>
    /// Counts the request admitted with <paramref name="reservation"/> if the instance's <paramref name="active"/> runs and
    /// the admitted ones are fewer than <paramref name="limit"/>; false when they are not.
    /// </summary>
    public bool TryAdmit(string reservation, int active, int limit)
    {
        lock (_lock) return active + _waiting.Count < limit && _waiting.Add(reservation);
    }

    /// <summary>The run has started: true when the slot was still its request's, which it now holds.</summary>
    public bool TryTakeOver(string reservation) => Leave(reservation);

    /// <summary>The request has ended, or was refused after all: true when no run took its slot, which is to be freed.</summary>
    public bool TryGiveBack(string reservation) => Leave(reservation);

    private bool Leave(string reservation)
    {
        lock (_lock) return _waiting.Remove(reservation);
    }
}
