using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Limits;

/// <summary>
/// The rate limiter policy of the endpoints that start a run: one partition per caller (<see cref="LimitKeys"/>), each a
/// <see cref="RunAdmission"/> over the caller's token bucket, in memory or, with <c>Runs:Store</c> = <c>redis</c>, in
/// Redis for every instance. A request its endpoint exempts (<see cref="RunLimitExemption"/>: a <c>/stream/*</c> request
/// with <c>Last-Event-ID</c> resumes a run rather than start one) is not limited.
/// </summary>
public sealed class RunLimitPolicy(IServiceProvider services, IOptions<RateLimitOptions> limits, IOptions<RunOptions> runs, TimeProvider time)
    : IRateLimiterPolicy<string>
{
    public const string Name = "runs";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => LimitProblems.WriteAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        if (httpContext.GetEndpoint()?.Metadata.GetMetadata<RunLimitExemption>() is { } exemption && exemption.Applies(httpContext))
            return RateLimitPartition.GetNoLimiter("exempt");
        return RateLimitPartition.Get(LimitKeys.Of(httpContext), key => new RunAdmission(key, Bucket(key),
            services.GetRequiredService<RunHost>(), services.GetRequiredService<IConcurrentRuns>(), services.GetRequiredService<ITokenQuotas>(),
            limits, services.GetRequiredService<IOptions<QuotaOptions>>(), time, services.GetRequiredService<IHttpContextAccessor>()));
    }

    private RateLimiter Bucket(string key)
    {
        var perMinute = Math.Max(1, limits.Value.RunsPerMinute);
        var period = TimeSpan.FromMinutes(1) / perMinute;
        if (RunServiceCollectionExtensions.UsesRedis(runs))
            return new RedisTokenBucket(services.GetRequiredService<RedisConnection>(), services.GetRequiredService<RedisLimitKeys>().Bucket(key),
                perMinute, period, time);
        // Refilled on its own timer and Stopwatch: System.Threading.RateLimiting's limiters take no TimeProvider.
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
