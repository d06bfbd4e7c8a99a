using Microsoft.Extensions.Options;
using StreamingApi.Runs.Memory;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Runs;

public static class RunServiceCollectionExtensions
{
    /// <summary>The run host, the store runs keep their events in (memory or Redis), and the graceful shutdown that drains them.</summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddOptions<RunOptions>().BindConfiguration("Runs")
            .Configure<IConfiguration>((o, configuration) =>
            {
                // The setting's name before it moved to Runs; appsettings.json no longer sets it, so when set it was meant.
                if (configuration.GetValue<double?>("Streaming:DrainSeconds") is { } drainSeconds) o.DrainSeconds = drainSeconds;
            })
            .Validate(o => o.ReplayWindow >= 0 && o.MaxBacklogEvents >= 1 && o.DetachGraceSeconds >= 0 && o.RetentionSeconds >= 0 && o.MaxRunSeconds > 0
                    && o.DrainSeconds >= 0 && o.ApprovalTimeoutSeconds > 0,
                "Runs: ReplayWindow, DetachGraceSeconds, RetentionSeconds and DrainSeconds must be 0 or more; MaxBacklogEvents, MaxRunSeconds and ApprovalTimeoutSeconds more than 0.")
            .Validate(o => o.Store is RunOptions.MemoryStore or RunOptions.RedisStore, "Runs:Store must be 'memory' or 'redis'.")
            .Validate<IConfiguration>((o, configuration) => o.Store != RunOptions.RedisStore || !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")),
                "Runs:Store is 'redis' but ConnectionStrings:Redis is not set (e.g. localhost:6379).")
            .ValidateOnStart();
        services.AddOptions<RedisOptions>().BindConfiguration("Redis")
            .Validate(o => o.LeaseSeconds > 0 && o.MaxStreamLength > 0 && o.PollSeconds > 0, "Redis: LeaseSeconds, MaxStreamLength and PollSeconds must be more than 0.")
            .Validate(o => o.WriteDelayMs is >= 0 and <= 60_000, "Redis: WriteDelayMs must be from 0 to 60000.")
            .ValidateOnStart();
        services.AddSingleton<MemoryRunStore>();
        services.AddSingleton<RunEventCodec>();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisRunStore>();
        services.AddSingleton<IRunStore>(provider => UsesRedis(provider.GetRequiredService<IOptions<RunOptions>>())
            ? provider.GetRequiredService<RedisRunStore>()
            : provider.GetRequiredService<MemoryRunStore>());
        services.AddHostedService<WhenRedis>();
        services.AddSingleton<RunHost>();
        services.AddHostedService<GracefulShutdown>();
        // The host waits for the drain, and for the last events to be written after it.
        services.AddOptions<HostOptions>().Configure<IOptions<RunOptions>>((host, runs) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(0, runs.Value.DrainSeconds) + 15));
        return services;
    }

    internal static bool UsesRedis(IOptions<RunOptions> options) => options.Value.Store == RunOptions.RedisStore;

    /// <summary>Starts and stops the Redis store, when runs are kept there.</summary>
    private sealed class WhenRedis(IOptions<RunOptions> options, IServiceProvider services) : IHostedService
    {
        private readonly RedisRunStore? _store = UsesRedis(options) ? services.GetRequiredService<RedisRunStore>() : null;

        public Task StartAsync(CancellationToken cancellationToken) => _store?.StartAsync(cancellationToken) ?? Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => _store?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }
}
