using Microsoft.Extensions.Options;
using StreamingApi.Streaming;

namespace StreamingApi.Runs;

/// <summary>
/// On SIGTERM (or any host stop), before the web server stops listening: the server turns not ready and starts no new
/// run, running streams get <c>Streaming:DrainSeconds</c> to finish, and what is left ends with <c>done</c>
/// {status: cancelled, reason: server-stopping}. Registered after the web server, so it stops before it.
/// </summary>
internal sealed class GracefulShutdown(RunHost runs, IOptions<StreamingOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        runs.DrainAsync(TimeSpan.FromSeconds(Math.Max(0, options.Value.DrainSeconds)), cancellationToken);
}
