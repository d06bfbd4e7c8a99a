using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Health;

/// <summary>
/// <c>/health/live</c>: the process answers (restart it when it does not). <c>/health/ready</c>: send it work (503 while
/// it shuts down). <c>/health</c>: as <c>/health/live</c>, for the clients that already use it.
/// </summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<AcceptingRuns>("runs", tags: [Ready])
            .AddCheck<RunStoreReachable>("run-store", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
        return routes;
    }

    /// <summary>Ready while the run store can be reached (always, for the memory store).</summary>
    private sealed class RunStoreReachable(IOptions<RunOptions> options, IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!RunServiceCollectionExtensions.UsesRedis(options)) return Task.FromResult(HealthCheckResult.Healthy());
            var redis = services.GetRequiredService<RedisConnection>();
            return Task.FromResult(redis.IsConnected
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Redis at {redis.Endpoint} is not reachable."));
        }
    }

    /// <summary>Ready while the run host starts new runs.</summary>
    private sealed class AcceptingRuns(RunHost runs) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(runs.IsDraining
                ? HealthCheckResult.Unhealthy("The server is shutting down and starts no new run.")
                : HealthCheckResult.Healthy());
    }
}
