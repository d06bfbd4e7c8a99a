using Microsoft.Extensions.Options;
using StreamingApi.Runs;

namespace StreamingApi.Approvals;

/// <summary>
/// Finds the waiting runs whose approvals ran out of time (<c>Runs:ApprovalTimeoutSeconds</c>) and takes them up, their
/// undecided approvals denied with reason <c>timeout</c>. Every instance looks, every second at most, in the store
/// (so a timeout fires even when the instance that started the run is gone); the store's claim is atomic, so exactly
/// one instance goes on with each run. A waiting run costs a score in a sorted set (Redis) or an entry in a map, not a
/// task; this one loop serves them all.
/// </summary>
internal sealed class ApprovalTimeouts(IRunStore store, RunHost runs, IOptions<RunOptions> options, TimeProvider time,
    ILogger<ApprovalTimeouts> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Clamp(options.Value.ApprovalTimeoutSeconds / 4, 0.1, 1));
        using var timer = new PeriodicTimer(every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (runs.IsDraining) return;
                try
                {
                    foreach (var runId in await store.DueAsync(stoppingToken)) await runs.ResumeAsync(runId, null, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The store is away (its connection logs that once) or failing: the next tick tries again. Not an error
                    // of every tick, nor with its stack: the requests that meet the store answer and log it.
                    ApprovalLog.TimeoutsFailed(logger, exception.GetType().Name, exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

internal static partial class ApprovalLog
{
    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "Approval timeouts could not be checked: {ExceptionType}: {ExceptionMessage}")]
    public static partial void TimeoutsFailed(ILogger logger, string exceptionType, string exceptionMessage);
}
