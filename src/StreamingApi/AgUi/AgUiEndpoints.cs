using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.Runs;
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
        var group = routes.MapGroup("/api/agents").WithTags("AG-UI");

        group.MapPost("/{agent}/ag-ui", StartAsync)
            .WithName("AgUiRun")
            .WithSummary("Runs the agent (writer, analyst or inventory) on the conversation and streams AG-UI events.")
            .WithDescription(Stream)
            .Produces(StatusCodes.Status200OK, typeof(AgUiEvent), "text/event-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    private static Task<IResult> StartAsync(string agent, RunAgentInput input, AgentCatalog agents, EventStreams streams,
        IOptions<JsonOptions> json, HttpContext http)
    {
        if (agents.Find(agent, fail: input.Fail) is not { } found) return Task.FromResult<IResult>(StreamProblems.AgentNotFound(agent, agents.Names));
        var plan = new RunPlan("ag-ui", found, input.ToAgentRequest())
        {
            TimeLimit = input.TimeLimit,
            Shape = input.Every is { } every ? ProgressEvents.Every(every) : null,
            ThreadId = input.ThreadId,
        };
        return streams.StartAsync(http, plan, reader =>
            new RunEventStream(reader, new AgUiMapping(input.ThreadId!, input.RunId!, reader.RunId, json.Value.SerializerOptions)));
    }
}
