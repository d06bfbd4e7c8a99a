using Microsoft.Extensions.Options;

namespace StreamingApi.Runs;

/// <summary>
/// On SIGTERM (or any host stop), while the web server still listens: the server turns not ready and starts no new
/// run, running runs get <c>Runs:DrainSeconds</c> to finish, and what is left ends with <c>done</c>
/// {status: cancelled, reason: server-stopping}. The host calls <see cref="StoppingAsync"/> before it stops any
/// hosted service, the web server among them, so health checks and new requests still get their answers meanwhile.
/// </summary>
internal sealed class GracefulShutdown(RunHost runs, IOptions<RunOptions> options) : IHostedLifecycleService
{
    public Task StoppingAsync(CancellationToken cancellationToken) =>
        runs.DrainAsync(TimeSpan.FromSeconds(Math.Max(0, options.Value.DrainSeconds)), cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
