namespace StreamingApi.Limits;

/// <summary>
/// The slot among its caller's runs in progress that admission reserved for the run a request is about to start (see
/// <see cref="IConcurrentRuns"/>). It is kept on the request, for the run's plan to name, so that the run takes it over
/// when it starts; the admission's lease (<see cref="AdmissionLease"/>) gives it back when the request ends without one.
/// </summary>
public sealed record RunReservation(string Key, string Id)
{
    /// <summary>The slot the request was admitted with; null for a request the run limits were not asked about.</summary>
    public static RunReservation? Of(HttpContext http) => http.Features.Get<RunReservation>();

    /// <summary>A new slot's id: as random as a run's, and drawn the same way (<see cref="Runs.RunIds"/>).</summary>
    public static RunReservation New(string key) => new(key, Runs.RunIds.New());
}
