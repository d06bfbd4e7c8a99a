using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Limits;

/// <summary>
/// Whether one caller may start a run now: the rate limiter of the caller's partition. It asks the instance's runs
/// (<see cref="RateLimitOptions.MaxActiveRuns"/>, with the requests admitted whose runs have not started yet,
/// <see cref="AdmittedRuns"/>), then the caller's own limits (<see cref="ICallerLimits"/>: its token quota, its runs in
/// progress and last its token bucket, in one round trip in Redis), so that a run refused for another reason costs no
/// token. The refusing limit and when to try again travel on the lease (<see cref="LimitLease"/>) to
/// <see cref="LimitProblems"/>. The caller's limits reserve a slot among its runs in progress for the run, in the same
/// step as they check the count, so that requests admitted at the same instant cannot all pass the limit; the slot is
/// kept on the request (<see cref="RunReservation"/>) and given back by the granted lease (<see cref="AdmissionLease"/>)
/// unless the request's run takes it over.
/// </summary>
public sealed class RunAdmission(string key, ICallerLimits caller, RunHost runs, AdmittedRuns admitted, IConcurrentRuns running,
    IOptions<RateLimitOptions> limits, IHttpContextAccessor requests) : RateLimiter
{
    public override TimeSpan? IdleDuration => caller.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>The caller's limits may ask Redis: the middleware then asks <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => NotAtOnce;

    /// <summary>What <see cref="AttemptAcquireCore"/> answers every request: one lease for all, as it says nothing of the request.</summary>
    private static readonly LimitLease NotAtOnce = new(false);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var reservation = RunReservation.New(key);
        if (!admitted.TryAdmit(reservation.Id, runs.ActiveCount, limits.Value.MaxActiveRuns)) return LimitLease.TooManyActiveRuns;
        RateLimitLease lease;
        try
        {
            lease = await caller.AdmitAsync(reservation.Id, cancellationToken);
        }
        catch
        {
            admitted.TryGiveBack(reservation.Id);
            throw;
        }
        if (!lease.IsAcquired)
        {
            admitted.TryGiveBack(reservation.Id);
            return lease;
        }
        requests.HttpContext?.Features.Set(reservation);
        return new AdmissionLease(lease, running, admitted, reservation);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) caller.Dispose();
        base.Dispose(disposing);
    }
}
