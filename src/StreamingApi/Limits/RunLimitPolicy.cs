using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>
/// The rate limiter policy of the endpoints that start a run: one partition per caller (<see cref="LimitKeys"/>), each a
/// <see cref="RunAdmission"/> over the caller's limits, in memory (<see cref="MemoryCallerLimits"/>) or, with
/// <c>Runs:Store</c> = <c>redis</c>, in Redis for every instance (<see cref="RedisCallerLimits"/>). A request its endpoint
/// exempts (<see cref="RunLimitExemption"/>: a <c>/stream/*</c> request with <c>Last-Event-ID</c> resumes a run rather
/// than start one) is not limited.
/// </summary>
public sealed class RunLimitPolicy(IServiceProvider services, IOptions<RateLimitOptions> limits, IOptions<QuotaOptions> quota,
    IOptions<RunOptions> runs, TimeProvider time) : IRateLimiterPolicy<string>
{
    public const string Name = "runs";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => LimitProblems.WriteAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        if (httpContext.GetEndpoint()?.Metadata.GetMetadata<RunLimitExemption>() is { } exemption && exemption.Applies(httpContext))
            return RateLimitPartition.GetNoLimiter("exempt");
        return RateLimitPartition.Get(LimitKeys.Of(httpContext), _admissionOf ??= AdmissionOf);
    }

    /// <summary><see cref="AdmissionOf"/>, made once rather than by each request.</summary>
    private Func<string, RateLimiter>? _admissionOf;

    /// <summary>A new caller's limiter, made when its first request comes.</summary>
    private RateLimiter AdmissionOf(string key) => new RunAdmission(key, CallerLimits(key),
        services.GetRequiredService<RunHost>(), services.GetRequiredService<AdmittedRuns>(), services.GetRequiredService<IConcurrentRuns>(),
        limits, services.GetRequiredService<IHttpContextAccessor>());

    private ICallerLimits CallerLimits(string key)
    {
        if (RunServiceCollectionExtensions.UsesRedis(runs))
            return new RedisCallerLimits(key, services.GetRequiredService<RedisConnection>(), services.GetRequiredService<RedisLimitKeys>(),
                limits, quota, runs, time);
        var perMinute = Math.Max(1, limits.Value.RunsPerMinute);
        // Refilled on its own timer and Stopwatch: System.Threading.RateLimiting's limiters take no TimeProvider.
        var bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        return new MemoryCallerLimits(key, bucket, services.GetRequiredService<MemoryConcurrentRuns>(), services.GetRequiredService<MemoryTokenQuotas>(),
            limits, quota, time);
    }
}
