using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Limits;

/// <summary>
/// Counts each run against its caller for its whole life: in its caller's runs in progress from its start (taking over
/// the slot its request was admitted with) to its end, except while it waits for its client (a waiting run costs
/// nothing, and the request that answers it must not be refused for the run it answers), and its tokens (input and
/// output, reasoning included) into the caller's quota at its end.
/// </summary>
public sealed class LimitRunObserver(IConcurrentRuns running, ITokenQuotas quotas, AdmittedRuns admitted) : IRunObserver
{
    /// <summary>
    /// Takes over the slot its request was admitted with (no call to Redis: the reserved member is the run's slot), unless
    /// the request has given it back already; the run is then counted on its own.
    /// </summary>
    public ValueTask RunStartedAsync(string runId, RunPlan plan)
    {
        if (KeyOf(plan) is not { } key) return ValueTask.CompletedTask;
        var reservation = plan.LimitReservation is { } id && admitted.TryTakeOver(id) ? id : null;
        return running.StartedAsync(key, runId, reservation);
    }

    public async ValueTask RunEndedAsync(string runId, RunPlan plan, RunStats stats)
    {
        if (KeyOf(plan) is not { } key) return;
        await running.EndedAsync(key, runId, plan.LimitReservation);
        // Reasoning tokens are a part of the output tokens (see UsageReport), so the total already holds them.
        if (stats.Usage is { TotalTokens: > 0 and var tokens }) await quotas.AddAsync(key, tokens);
    }

    public ValueTask RunWaitingAsync(string runId, RunPlan plan) =>
        KeyOf(plan) is { } key ? running.EndedAsync(key, runId, plan.LimitReservation) : ValueTask.CompletedTask;

    /// <summary>Counted again, by its id, as it goes on, whatever the count: it was admitted when it started.</summary>
    public ValueTask RunResumedAsync(string runId, RunPlan plan) =>
        KeyOf(plan) is { } key ? running.StartedAsync(key, runId, null) : ValueTask.CompletedTask;

    /// <summary>
    /// The key its plan was given with its caller (<see cref="LimitKeys.Of"/>, where every endpoint starts a run): already
    /// its principal's when authentication names one, the same key the rate limiter's partition was chosen by.
    /// </summary>
    private static string? KeyOf(RunPlan plan) => plan.LimitKey;
}
