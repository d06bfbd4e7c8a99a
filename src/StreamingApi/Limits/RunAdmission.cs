using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Limits;

/// <summary>
/// Whether one caller may start a run now: the rate limiter of the caller's partition. It asks, in order, the
/// instance's runs (<see cref="RateLimitOptions.MaxActiveRuns"/>), the caller's token quota, its runs in progress and
/// last its token bucket, so that a run refused for another reason costs no token. The refusing limit and when to try
/// again travel on the lease (<see cref="LimitLease"/>) to <see cref="LimitProblems"/>. A caller's runs in progress are
/// checked by reserving a slot for the run (<see cref="IConcurrentRuns.TryReserveAsync"/>), in one step, so that requests
/// admitted at the same instant cannot all pass the limit; the slot is kept on the request (<see cref="RunReservation"/>)
/// and given back by the granted lease (<see cref="AdmissionLease"/>) unless the request's run takes it over.
/// </summary>
public sealed class RunAdmission(string key, RateLimiter bucket, RunHost runs, IConcurrentRuns running, ITokenQuotas quotas,
    IOptions<RateLimitOptions> limits, IOptions<QuotaOptions> quota, TimeProvider time, IHttpContextAccessor requests) : RateLimiter
{
    public override TimeSpan? IdleDuration => bucket.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => bucket.GetStatistics();

    /// <summary>The checks other than the bucket may ask Redis: the middleware then asks <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => new LimitLease(false);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (runs.ActiveCount >= limits.Value.MaxActiveRuns)
            return new LimitLease(false, LimitProblems.TooManyActiveRuns, TimeSpan.FromSeconds(1));
        if (quota.Value.TokensPerDay > 0 && await quotas.UsedTodayAsync(key, cancellationToken) >= quota.Value.TokensPerDay)
        {
            var now = time.GetUtcNow();
            var resetsAt = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            return new LimitLease(false, LimitProblems.QuotaExceeded, resetsAt - now, resetsAt);
        }
        var reservation = RunReservation.New(key);
        if (!await running.TryReserveAsync(key, reservation.Id, limits.Value.ConcurrentRuns, cancellationToken))
            return new LimitLease(false, LimitProblems.TooManyConcurrentRuns, TimeSpan.FromSeconds(1));
        RateLimitLease lease;
        try
        {
            lease = await bucket.AcquireAsync(permitCount, cancellationToken);
        }
        catch
        {
            await running.ReleaseAsync(key, reservation.Id);
            throw;
        }
        if (lease.IsAcquired)
        {
            requests.HttpContext?.Features.Set(reservation);
            return new AdmissionLease(lease, running, reservation);
        }
        await running.ReleaseAsync(key, reservation.Id);
        if (lease.TryGetMetadata(LimitLease.Limit, out _)) return lease;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        lease.Dispose();
        return new LimitLease(false, LimitProblems.RateLimited, retryAfter);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) bucket.Dispose();
        base.Dispose(disposing);
    }
}
