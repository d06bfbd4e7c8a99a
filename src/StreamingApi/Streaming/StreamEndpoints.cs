using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>The SSE endpoints: each takes GET with query parameters (for EventSource) or POST with a JSON body.</summary>
public static class StreamEndpoints
{
    private const string Events =
        "Server-Sent Events. Every frame has id: <runId>:<seq>, event: <type>, data: <one line of JSON>. " +
        "Types: run (first), text, tool-call, tool-result, partial, result, progress, error, done (always last). See docs/protocol.md.";

    public static RouteGroupBuilder MapStreams(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/stream").WithTags("Streams");

        group.MapGetAndPost("/text", "StreamText", "Streams a plain text answer, delta by delta.",
            ([AsParameters] StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Text(request, agents, streams, http),
            (StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Text(request, agents, streams, http));

        group.MapGetAndPost("/analysis", "StreamAnalysis", "A data analyst with tools: tool calls live, then a validated structured result.",
            ([AsParameters] StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Analysis(request, agents, streams, http),
            (StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Analysis(request, agents, streams, http));

        group.MapGetAndPost("/progress", "StreamProgress", "Text plus a progress event every N chunks and once at the end.",
            ([AsParameters] ProgressStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Progress(request, agents, streams, http),
            (ProgressStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Progress(request, agents, streams, http));

        group.MapGetAndPost("/buffered", "StreamBuffered", "Text deltas coalesced into frames of at least minChars, or after maxDelayMs.",
            ([AsParameters] BufferedStreamRequest request, AgentCatalog agents, EventStreams streams, TimeProvider time, HttpContext http) => Buffered(request, agents, streams, time, http),
            (BufferedStreamRequest request, AgentCatalog agents, EventStreams streams, TimeProvider time, HttpContext http) => Buffered(request, agents, streams, time, http));

        group.MapGetAndPost("/flaky", "StreamFlaky", "An agent whose tool fails on request: an error event mid-stream, then done {status: failed}.",
            ([AsParameters] FlakyStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Flaky(request, agents, streams, http),
            (FlakyStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Flaky(request, agents, streams, http));

        return group;
    }

    private static ServerSentEventsResult<AgentEvent> Text(StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
        streams.Start(http, new RunPlan("text", agents.Writer, new AgentRequest(request.Prompt!)) { TimeLimit = request.TimeLimit });

    private static ServerSentEventsResult<AgentEvent> Analysis(StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
        streams.Start(http, new RunPlan("analysis", agents.Analyst, new AgentRequest(request.Prompt!)) { TimeLimit = request.TimeLimit });

    private static ServerSentEventsResult<AgentEvent> Progress(ProgressStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
        streams.Start(http, new RunPlan("progress", agents.Writer, new AgentRequest(request.Prompt!))
        {
            TimeLimit = request.TimeLimit,
            Shape = ProgressEvents.Every(request.Every ?? ProgressStreamRequest.DefaultEvery),
        });

    private static ServerSentEventsResult<AgentEvent> Buffered(BufferedStreamRequest request, AgentCatalog agents, EventStreams streams, TimeProvider time, HttpContext http) =>
        streams.Start(http, new RunPlan("buffered", agents.Writer, new AgentRequest(request.Prompt!))
        {
            TimeLimit = request.TimeLimit,
            Shape = BufferedText.Coalesce(request.MinChars ?? BufferedStreamRequest.DefaultMinChars,
                TimeSpan.FromMilliseconds(request.MaxDelayMs ?? BufferedStreamRequest.DefaultMaxDelayMs), time),
        });

    private static ServerSentEventsResult<AgentEvent> Flaky(FlakyStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
        streams.Start(http, new RunPlan("flaky", agents.Flaky, new AgentRequest(request.Prompt!, FailTools: request.Fail ?? true))
        {
            TimeLimit = request.TimeLimit,
        });

    private static void MapGetAndPost(this RouteGroupBuilder group, string pattern, string name, string summary, Delegate get, Delegate post)
    {
        group.MapGet(pattern, get).WithName(name).WithSummary(summary + " (GET, query parameters)").WithDescription(Events).ProducesValidationProblem();
        group.MapPost(pattern, post).WithName(name + "Post").WithSummary(summary + " (POST, JSON body)").WithDescription(Events)
            .ProducesValidationProblem();
    }
}
