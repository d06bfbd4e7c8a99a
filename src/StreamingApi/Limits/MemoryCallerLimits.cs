using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace StreamingApi.Limits;

/// <summary>
/// One caller's limits on this instance (<c>Runs:Store</c> = <c>memory</c>): its quota, then its runs in progress (a slot
/// reserved in one step, <see cref="MemoryConcurrentRuns.TryReserveAsync"/>), then its token bucket; the slot is given
/// back when the bucket refuses, so that a refused run costs no token and leaves no reservation.
/// </summary>
public sealed class MemoryCallerLimits(string key, RateLimiter bucket, MemoryConcurrentRuns running, MemoryTokenQuotas quotas,
    IOptions<RateLimitOptions> limits, IOptions<QuotaOptions> quota, TimeProvider time) : ICallerLimits
{
    public TimeSpan? IdleDuration => bucket.IdleDuration;

    public async ValueTask<RateLimitLease> AdmitAsync(string reservation, CancellationToken cancellationToken)
    {
        if (quota.Value.TokensPerDay > 0 && await quotas.UsedTodayAsync(key, cancellationToken) >= quota.Value.TokensPerDay)
            return LimitLease.QuotaExceeded(time.GetUtcNow());
        if (!await running.TryReserveAsync(key, reservation, limits.Value.ConcurrentRuns, cancellationToken))
            return LimitLease.TooManyConcurrentRuns;
        RateLimitLease lease;
        try
        {
            lease = await bucket.AcquireAsync(1, cancellationToken);
        }
        catch
        {
            await running.ReleaseAsync(key, reservation);
            throw;
        }
        if (lease.IsAcquired) return lease;
        await running.ReleaseAsync(key, reservation);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        lease.Dispose();
        return LimitLease.RateLimited(retryAfter);
    }

    public void Dispose() => bucket.Dispose();
}
