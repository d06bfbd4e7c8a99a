using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Limits;
using StreamingApi.Observability;
using StreamingApi.Runs;
using StreamingApi.Security;

namespace StreamingApi.Streaming;

/// <summary>
/// Turns a request into a run's SSE response: a new run read from its first event, or an existing run read after
/// a position (a reconnecting browser's <c>Last-Event-ID</c>, or <c>?after=</c>), with the answers the SSE standard
/// gives for the other cases: 204 when there is nothing to continue (a browser stops reconnecting), 503 while the
/// server shuts down. A position whose events are no longer held is continued from the run's snapshot.
/// </summary>
public sealed class EventStreams(RunHost runs, RunAccess access, ILogger<EventStreams> logger)
{
    /// <summary>Whether a <c>/stream/*</c> request continues a run (it has <c>Last-Event-ID</c>) rather than start one.</summary>
    public static bool Resumes(HttpContext http) => LastEventId.HeaderOf(http.Request) is not null;

    /// <summary>A <c>/stream/*</c> request: resumes the run its <c>Last-Event-ID</c> names, or else starts a new one.</summary>
    /// <param name="plan">Makes the new run's plan from <paramref name="request"/> (a state, so that no request pays for a closure).</param>
    public async Task<Results<RunEventStream, NoContent, ProblemHttpResult>> StartOrResumeAsync<TRequest>(HttpContext http, TRequest request,
        Func<TRequest, RunPlan> plan)
    {
        if (LastEventId.HeaderOf(http.Request) is { } header)
        {
            if (!LastEventId.TryParse(header, out var id)) return StreamProblems.BadLastEventId(header);
            return await ResumeAsync(http, id.Value.RunId, id.Value.Sequence, reconnecting: true);
        }

        return await StartAsync(http, plan(request), static reader => new RunEventStream(reader)) switch
        {
            { Result: RunEventStream stream } => stream,
            var other => (ProblemHttpResult)other.Result,
        };
    }

    /// <summary>
    /// Starts a new run read from its first event by the response <paramref name="respond"/> makes of its reader (our
    /// protocol, or another one's). The run goes on for the detach grace when its reader leaves, so that the client
    /// can come back for it. It is recorded for the request's principal; a request with a ticket uses the ticket up.
    /// </summary>
    public async Task<Results<TStream, ProblemHttpResult>> StartAsync<TStream>(HttpContext http, RunPlan plan, Func<IRunReader, TStream> respond)
        where TStream : IResult
    {
        if (await access.StartingAsync(http) is { } refused) return refused;
        var started = await StartForCallerAsync(http, plan, WhenUnattended.StopAfterGrace, withReader: true);
        if (started is null) return StreamProblems.ShuttingDown(http);
        await access.StartedAsync(http, started.Record.RunId);
        return respond(started.Reader!);
    }

    /// <summary>
    /// Starts a run for the request's caller, the one place a plan gets it: the principal the run is recorded for
    /// (<see cref="RunAccess.PrincipalOf"/>, none when authentication is off), and who it counts against for limits and
    /// quotas (<see cref="LimitKeys.Of"/>: that principal, else the client's address) with the slot among the caller's runs
    /// in progress that its request was admitted with (<see cref="RunReservation"/>). With <paramref name="withReader"/>,
    /// the reader ends with the request. Null when the server is draining.
    /// </summary>
    public ValueTask<StartedRun?> StartForCallerAsync(HttpContext http, RunPlan plan, bool withReader = false) =>
        StartForCallerAsync(http, plan, plan.WhenUnattended, withReader);

    /// <summary>The same, with what a leaving reader means set in the one copy of the plan that the caller is written into.</summary>
    private ValueTask<StartedRun?> StartForCallerAsync(HttpContext http, RunPlan plan, WhenUnattended whenUnattended, bool withReader) =>
        runs.StartAsync(plan with
        {
            WhenUnattended = whenUnattended,
            Principal = access.PrincipalOf(http),
            LimitKey = LimitKeys.Of(http),
            LimitReservation = RunReservation.Of(http)?.Id,
        }, withReader, withReader ? http.RequestAborted : CancellationToken.None);

    /// <summary>The events of run <paramref name="runId"/> after <paramref name="after"/> (0: from the first).</summary>
    /// <param name="reconnecting">The client reconnects (it sent <c>Last-Event-ID</c>): an unknown run is a 204, not a 404.</param>
    /// <remarks>Another principal's run is answered as an unknown one.</remarks>
    public async Task<Results<RunEventStream, NoContent, ProblemHttpResult>> ResumeAsync(HttpContext http, string runId, long after, bool reconnecting)
    {
        if (access.IsEnabled && await runs.FindAsync(runId, http.RequestAborted) is { } record && !access.MaySee(http, record))
            return reconnecting ? TypedResults.NoContent() : StreamProblems.RunNotFound(runId);
        var opening = await runs.OpenAsync(runId, after, http.RequestAborted);
        switch (opening.Status)
        {
            case RunOpeningStatus.Opened:
                if (after > 0) StreamLogMessages.Resumed(logger, runId, after);
                return new RunEventStream(opening.Reader!);
            case RunOpeningStatus.Unknown when !reconnecting:
                return StreamProblems.RunNotFound(runId);
            default:
                return TypedResults.NoContent(); // unknown, expired or finished: nothing will come, stop reconnecting
        }
    }
}
