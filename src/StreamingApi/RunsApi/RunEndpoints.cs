using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Security;
using StreamingApi.Streaming;

namespace StreamingApi.RunsApi;

/// <summary>
/// Runs as resources: started in the background, read (from any position still held) and stopped by id, whatever
/// connection started them. A run is its principal's: another principal's run is answered as one that does not exist.
/// </summary>
public static class RunEndpoints
{
    public static RouteGroupBuilder MapRuns(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/runs").WithTags("Runs").RequireRunAccess();

        group.MapPost("/", StartAsync)
            .WithName("StartRun")
            .WithSummary("Starts a run in the background; it goes on whether or not anyone reads it.")
            .StartsRuns();

        group.MapGet("/{runId}", GetAsync)
            .WithName("GetRun")
            .WithSummary("A run's status (running, waiting, completed, cancelled or failed), its reason, times and last sequence number, and its " +
                         "answer so far as output: text, reasoning, tool calls, structured result, usage, error.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{runId}/events", EventsAsync)
            .WithName("GetRunEvents")
            .WithSummary("The run's events as Server-Sent Events, after Last-Event-ID or ?after=<seq> (default: from the first), live " +
                         "until done; a finished run is replayed and the stream closes. Events no longer held come as one snapshot event.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{runId}/cancel", CancelAsync)
            .WithName("CancelRun")
            .WithSummary("Stops a running run at once (202); its stream ends with done {status: cancelled, reason: stopped}. " +
                         "A finished run is left as it is (200).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<Accepted<RunAccepted>, ProblemHttpResult>> StartAsync(StartRunRequest request, AgentCatalog agents,
        EventStreams streams, HttpContext http)
    {
        var coalesced = request.MinChars is not null || request.MaxDelayMs is not null;
        var shape = coalesced || request.Every is not null
            ? new RunShape
            {
                MinChars = coalesced ? request.MinChars ?? BufferedStreamRequest.DefaultMinChars : null,
                MaxDelayMs = request.MaxDelayMs ?? BufferedStreamRequest.DefaultMaxDelayMs,
                Every = request.Every,
            }
            : null;

        var plan = new RunPlan("runs", agents.Find(request.Agent!, fail: request.Fail ?? false)!, new AgentRequest(request.Prompt!))
        {
            TimeLimit = request.TimeLimit,
            Shape = shape,
        };
        var started = await streams.StartForCallerAsync(http, plan);
        if (started is null) return StreamProblems.ShuttingDown(http);
        var location = $"/runs/{started.Record.RunId}";
        return TypedResults.Accepted(location, new RunAccepted(started.Record.RunId, started.Record.Status, $"{location}/events"));
    }

    private static async Task<Results<Ok<RunRecord>, ProblemHttpResult>> GetAsync(string runId, RunHost runs, IRunStore store, RunAccess access,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (await runs.FindAsync(runId, cancellationToken) is not { } record || !access.MaySee(http, record)) return StreamProblems.RunNotFound(runId);
        var output = await RecordedDecisions.OfAsync(store, runId, await runs.OutputAsync(runId, cancellationToken), cancellationToken);
        return TypedResults.Ok(record with { Output = output });
    }

    private static async Task<Results<RunEventStream, NoContent, ProblemHttpResult>> EventsAsync(string runId, [FromQuery] long? after, EventStreams streams,
        HttpContext http)
    {
        if (LastEventId.HeaderOf(http.Request) is { } header)
        {
            if (!LastEventId.TryParse(header, out var id)) return StreamProblems.BadLastEventId(header);
            if (id.Value.RunId != runId) return StreamProblems.OtherRun(runId, id.Value);
            return await streams.ResumeAsync(http, runId, id.Value.Sequence, reconnecting: true);
        }
        if (after < 0) return StreamProblems.Invalid("after", "after must be 0 or more.");
        return await streams.ResumeAsync(http, runId, after ?? 0, reconnecting: false);
    }

    private static async Task<Results<Accepted<RunRecord>, Ok<RunRecord>, ProblemHttpResult>> CancelAsync(string runId, RunHost runs,
        RunAccess access, HttpContext http, CancellationToken cancellationToken)
    {
        if (access.IsEnabled && await runs.FindAsync(runId, cancellationToken) is { } found && !access.MaySee(http, found))
            return StreamProblems.RunNotFound(runId);
        var record = await runs.CancelAsync(runId, cancellationToken);
        if (record is null) return StreamProblems.RunNotFound(runId);
        return record.IsLive ? TypedResults.Accepted($"/runs/{runId}", record) : TypedResults.Ok(record);
    }
}
