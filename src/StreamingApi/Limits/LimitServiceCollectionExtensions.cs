using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Limits;

public static class LimitServiceCollectionExtensions
{
    /// <summary>
    /// Runs per minute, runs in progress and token quotas per caller (in Redis, across instances, with
    /// <c>Runs:Store</c> = <c>redis</c>), runs per instance, and the size of request bodies; see docs/limits.md.
    /// </summary>
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits")
            .Validate(o => o.RunsPerMinute > 0 && o.ConcurrentRuns > 0 && o.MaxActiveRuns > 0,
                "RateLimits: RunsPerMinute, ConcurrentRuns and MaxActiveRuns must be more than 0.")
            .ValidateOnStart();
        services.AddOptions<QuotaOptions>().BindConfiguration("Quotas")
            .Validate(o => o.TokensPerDay >= 0, "Quotas:TokensPerDay must be 0 (unlimited) or more.")
            .ValidateOnStart();
        services.AddOptions<LimitOptions>().BindConfiguration("Limits")
            .Validate(o => o.MaxBodyBytes > 0 && o.MaxMessages > 0, "Limits: MaxBodyBytes and MaxMessages must be more than 0.")
            .ValidateOnStart();

        services.AddSingleton<RedisLimitKeys>();
        services.AddSingleton<AdmittedRuns>();
        services.AddSingleton<MemoryConcurrentRuns>();
        services.AddSingleton<RedisConcurrentRuns>();
        services.AddSingleton<IConcurrentRuns>(provider => RunServiceCollectionExtensions.UsesRedis(provider.GetRequiredService<IOptions<RunOptions>>())
            ? provider.GetRequiredService<RedisConcurrentRuns>()
            : provider.GetRequiredService<MemoryConcurrentRuns>());
        services.AddSingleton<MemoryTokenQuotas>();
        services.AddSingleton<RedisTokenQuotas>();
        services.AddSingleton<ITokenQuotas>(provider => RunServiceCollectionExtensions.UsesRedis(provider.GetRequiredService<IOptions<RunOptions>>())
            ? provider.GetRequiredService<RedisTokenQuotas>()
            : provider.GetRequiredService<MemoryTokenQuotas>());
        services.AddSingleton<IRunObserver, LimitRunObserver>();
        services.AddHttpContextAccessor(); // admission keeps the slot it reserved on the request (RunReservation)
        services.AddForwardedClients();

        services.AddRateLimiter(options => options.AddPolicy<string, RunLimitPolicy>(RunLimitPolicy.Name));
        return services;
    }

    /// <summary>
    /// The client's address from a trusted proxy's <c>X-Forwarded-For</c>, the body size limit on every request, and the
    /// rate limiter on the endpoints that ask for it.
    /// </summary>
    public static IApplicationBuilder UseLimits(this IApplicationBuilder app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestBodyLimit>();
        return app.UseRateLimiter();
    }

    /// <summary>
    /// The endpoint starts runs: it is held to the caller's limits and quota (429 problem details when one is reached),
    /// except a request for which <paramref name="exceptWhen"/> says it starts none (a stream's reconnect continues its run).
    /// </summary>
    public static RouteHandlerBuilder RequireRunLimits(this RouteHandlerBuilder endpoint, Func<HttpContext, bool>? exceptWhen = null)
    {
        if (exceptWhen is not null) endpoint.WithMetadata(new RunLimitExemption(exceptWhen));
        return endpoint.RequireRateLimiting(RunLimitPolicy.Name).ProducesProblem(StatusCodes.Status429TooManyRequests);
    }
}
