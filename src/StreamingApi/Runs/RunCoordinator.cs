using System.Runtime.CompilerServices;
using StreamingApi.Agents;
using StreamingApi.Observability;

namespace StreamingApi.Runs;

/// <summary>
/// Starts runs and drives them to their end: numbers every event into the run's log, turns the run's end
/// (completed, cancelled, failed) into the final <c>done</c> event, logs one line per run.
/// </summary>
public sealed class RunCoordinator(
    RunStore store,
    StreamingMetrics metrics,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<RunCoordinator> logger)
{
    /// <summary>Starts the run in the background; <paramref name="clientGone"/> stops it.</summary>
    public Run Start(RunPlan plan, CancellationToken clientGone)
    {
        var run = store.Create(plan.Endpoint);
        metrics.RunStarted(plan.Endpoint);
        if (logger.IsEnabled(LogLevel.Debug)) RunLog.RunStarting(logger, run.Id, plan.Endpoint, plan.Request.Prompt.Length, plan.Request.Prompt);
        run.Completion = Task.Run(() => ExecuteAsync(run, plan, clientGone), CancellationToken.None);
        return run;
    }

    /// <summary>
    /// The run's events for one reader. When the reader stops early (its client went away), the run is stopped,
    /// and the reader waits for the run to end so that nothing outlives the stream.
    /// </summary>
    public static async IAsyncEnumerable<RunEvent> Follow(Run run, long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var entry in run.Events.ReadAsync(afterSequence, cancellationToken).ConfigureAwait(false))
                yield return entry;
        }
        finally
        {
            if (!run.Events.IsCompleted) run.Stop();
            await run.Completion.ConfigureAwait(false);
        }
    }

    private async Task ExecuteAsync(Run run, RunPlan plan, CancellationToken clientGone)
    {
        var context = new RunContext(run.Id, time);
        var stats = context.Stats;
        using var timeLimit = new CancellationTokenSource(plan.TimeLimit ?? Timeout.InfiniteTimeSpan, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(run.StopToken, clientGone, timeLimit.Token, lifetime.ApplicationStopping);
        // The moment the stop was asked for. Registered on each source after the linked source was made: a token
        // runs its callbacks last-registered first, so this runs before the stop reaches the model and the tools.
        Action<object?> mark = static state => ((RunContext)state!).MarkStopRequested();
        using var markClientGone = clientGone.UnsafeRegister(mark, context);
        using var markTimeLimit = timeLimit.Token.UnsafeRegister(mark, context);
        using var markStopped = run.StopToken.UnsafeRegister(mark, context);
        using var markStopping = lifetime.ApplicationStopping.UnsafeRegister(mark, context);

        run.Events.Append(new RunStarted(run.Id, plan.Agent.Name, plan.Agent.Model, time.GetUtcNow()));
        string status;
        string? reason = null;
        try
        {
            var events = Count(plan.Agent.RunAsync(plan.Request, context, stop.Token), stats);
            if (plan.Shape is { } shape) events = shape(events, context, stop.Token);
            await foreach (var @event in events.WithCancellation(stop.Token).ConfigureAwait(false))
                run.Events.Append(@event);
            status = RunStatus.Completed;
            reason = stats.EndReason;
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            status = RunStatus.Cancelled;
            reason = timeLimit.IsCancellationRequested ? "time-limit"
                : lifetime.ApplicationStopping.IsCancellationRequested ? "server-stopping"
                : "client-disconnected";
        }
        catch (Exception exception)
        {
            status = RunStatus.Failed;
            RunLog.RunFailed(logger, exception, run.Id, plan.Endpoint);
            var error = RunErrors.From(exception, run.Id);
            reason = error.Type;
            run.Events.Append(error);
        }

        var elapsed = stats.Elapsed;
        run.Events.Append(new RunDone(status, reason, stats.Chunks, stats.Chars, (long)elapsed.TotalMilliseconds, stats.Usage));
        run.Events.Complete();
        metrics.RunEnded(plan.Endpoint, status, elapsed);
        RunLog.RunEnded(logger, run.Id, plan.Endpoint, plan.Agent.Name, plan.Agent.Model, status, reason,
            stats.Chunks, stats.Chars, stats.ToolCalls, (long)elapsed.TotalMilliseconds);
        store.Remove(run); // last: a run no longer in the store is finished in every respect
    }

    private static async IAsyncEnumerable<AgentEvent> Count(IAsyncEnumerable<AgentEvent> events, RunStats stats)
    {
        await foreach (var @event in events.ConfigureAwait(false))
        {
            stats.Observe(@event);
            yield return @event;
        }
    }
}
