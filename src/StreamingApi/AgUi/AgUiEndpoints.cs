using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Security;
using StreamingApi.Streaming;

namespace StreamingApi.AgUi;

/// <summary>
/// AG-UI over Server-Sent Events: what <c>@ag-ui/client</c>'s <c>HttpAgent</c>, and CopilotKit's runtime through it,
/// posts a <c>RunAgentInput</c> to. Each agent has its own URL, by the name its <c>run</c> event uses.
/// </summary>
public static class AgUiEndpoints
{
    private const string Stream =
        "AG-UI events over Server-Sent Events: one data: line of JSON per event, LF line endings, no [DONE]. RUN_STARTED echoes the " +
        "client's threadId and runId; the stream ends with RUN_FINISHED (result and usage) or RUN_ERROR. See docs/protocol.md.";

    public static RouteGroupBuilder MapAgUi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/agents").WithTags("AG-UI").RequireRunAccess();

        group.MapPost("/{agent}/ag-ui", StartAsync)
            .WithName("AgUiRun")
            .WithSummary("Runs the agent (writer, analyst or inventory) on the conversation and streams AG-UI events.")
            .WithDescription(Stream)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .StartsRuns();

        group.MapPost("/{agent}/ag-ui/connect", ConnectAsync)
            .WithName("AgUiConnect")
            .WithSummary("The thread's run with the agent, if it is still going: RUN_STARTED, MESSAGES_SNAPSHOT (the conversation with the run's " +
                         "messages so far), then live; an empty stream when there is none.")
            .WithDescription(Stream + " What an AG-UI client's connect() (AbstractAgent.connectAgent) asks when it comes back to a thread.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static Task<Results<AgUiEventStream, ProblemHttpResult>> StartAsync(string agent, RunAgentInput input, AgentCatalog agents, EventStreams streams,
        IOptions<JsonOptions> json, HttpContext http)
    {
        if (agents.Find(agent, fail: input.Fail) is not { } found)
            return Task.FromResult<Results<AgUiEventStream, ProblemHttpResult>>(StreamProblems.AgentNotFound(agent, agents.Names));
        var plan = new RunPlan("ag-ui", found, input.ToAgentRequest())
        {
            TimeLimit = input.TimeLimit,
            Shape = input.Every is { } every ? ProgressEvents.Every(every) : null,
            ThreadId = input.ThreadId,
        };
        return streams.StartAsync(http, plan, reader =>
            new AgUiEventStream(reader, new AgUiMapping(input.ThreadId!, input.RunId!, reader.RunId, json.Value.SerializerOptions)));
    }

    /// <summary>
    /// The thread's latest run, if it is still going and is the agent's (runs started here record the thread), as the run
    /// so far in one snapshot and then live, so that the client replaces its copy of the run rather than having the run
    /// replayed into it. Nothing to resume is an empty stream, not a 204: <c>connectAgent</c> ends quietly on a stream
    /// without events, whereas the client's HTTP helpers fail on a response without a body. Another principal's run is
    /// answered as no run.
    /// </summary>
    private static async Task<Results<AgUiEventStream, ProblemHttpResult>> ConnectAsync(string agent, ConnectAgentInput input, AgentCatalog agents, RunHost runs,
        RunAccess access, IOptions<JsonOptions> json, HttpContext http)
    {
        if (agents.Find(agent) is not { } found) return StreamProblems.AgentNotFound(agent, agents.Names);
        if (await runs.FindLatestAsync(input.ThreadId!, http.RequestAborted) is { IsRunning: true } run && run.Agent == found.Name && access.MaySee(http, run)
            && await runs.OpenAsync(run.RunId, 0, http.RequestAborted) is { Status: RunOpeningStatus.Opened, Reader: { } reader })
        {
            return new AgUiEventStream(new SnapshotFirstReader(reader),
                new AgUiMapping(input.ThreadId!, input.RunId ?? reader.RunId, reader.RunId, json.Value.SerializerOptions, input.Messages));
        }
        return AgUiEventStream.Empty;
    }
}
