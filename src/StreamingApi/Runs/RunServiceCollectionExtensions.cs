using Microsoft.Extensions.Options;
using StreamingApi.Runs.Memory;
using StreamingApi.Streaming;

namespace StreamingApi.Runs;

public static class RunServiceCollectionExtensions
{
    /// <summary>The run host, the store runs keep their events in, and the graceful shutdown that drains them.</summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddOptions<RunOptions>().BindConfiguration("Runs")
            .Validate(o => o.ReplayWindow >= 0 && o.MaxBacklogEvents >= 1 && o.DetachGraceSeconds >= 0 && o.RetentionSeconds >= 0 && o.MaxRunSeconds > 0,
                "Runs: ReplayWindow, DetachGraceSeconds and RetentionSeconds must be 0 or more; MaxBacklogEvents and MaxRunSeconds more than 0.")
            .ValidateOnStart();
        services.AddSingleton<MemoryRunStore>();
        services.AddSingleton<IRunStore>(provider => provider.GetRequiredService<MemoryRunStore>());
        services.AddSingleton<RunHost>();
        services.AddHostedService<GracefulShutdown>();
        // The host waits for the drain, and for the last events to be written after it.
        services.AddOptions<HostOptions>().Configure<IOptions<StreamingOptions>>((host, streaming) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(0, streaming.Value.DrainSeconds) + 15));
        return services;
    }
}
