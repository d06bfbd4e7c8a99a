using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Streaming;

/// <summary>The SSE endpoints: each takes GET with query parameters (for EventSource) or POST with a JSON body.</summary>
public static class StreamEndpoints
{
    private static readonly string Events =
        "Server-Sent Events. Every frame has id: <runId>:<seq>, event: <type>, data: <one line of JSON>. " +
        $"Types: {string.Join(", ", AgentEventTypes.All)} ({AgentEventTypes.Run} first, {AgentEventTypes.Done} last). See docs/protocol.md.";

    public static RouteGroupBuilder MapStreams(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/stream").WithTags("Streams");

        group.MapGet("/text", ([AsParameters] StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Text(request, agents, streams, http))
            .Describe("StreamText", "Streams a plain text answer, delta by delta. (GET, query parameters)");
        group.MapPost("/text", (StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Text(request, agents, streams, http))
            .Describe("StreamTextPost", "Streams a plain text answer, delta by delta. (POST, JSON body)");

        group.MapGet("/analysis", ([AsParameters] StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Analysis(request, agents, streams, http))
            .Describe("StreamAnalysis", "A data analyst with tools: tool calls live, then a validated structured result. (GET, query parameters)");
        group.MapPost("/analysis", (StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Analysis(request, agents, streams, http))
            .Describe("StreamAnalysisPost", "A data analyst with tools: tool calls live, then a validated structured result. (POST, JSON body)");

        group.MapGet("/progress", ([AsParameters] ProgressStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Progress(request, agents, streams, http))
            .Describe("StreamProgress", "Text plus a progress event every N chunks and once at the end. (GET, query parameters)");
        group.MapPost("/progress", (ProgressStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Progress(request, agents, streams, http))
            .Describe("StreamProgressPost", "Text plus a progress event every N chunks and once at the end. (POST, JSON body)");

        group.MapGet("/buffered", ([AsParameters] BufferedStreamRequest request, AgentCatalog agents, EventStreams streams, TimeProvider time, HttpContext http) => Buffered(request, agents, streams, time, http))
            .Describe("StreamBuffered", "Text deltas coalesced into frames of at least minChars, or after maxDelayMs. (GET, query parameters)");
        group.MapPost("/buffered", (BufferedStreamRequest request, AgentCatalog agents, EventStreams streams, TimeProvider time, HttpContext http) => Buffered(request, agents, streams, time, http))
            .Describe("StreamBufferedPost", "Text deltas coalesced into frames of at least minChars, or after maxDelayMs. (POST, JSON body)");

        group.MapGet("/flaky", ([AsParameters] FlakyStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Flaky(request, agents, streams, http))
            .Describe("StreamFlaky", "An agent whose tool fails on request: an error event mid-stream, then done {status: failed}. (GET, query parameters)");
        group.MapPost("/flaky", (FlakyStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) => Flaky(request, agents, streams, http))
            .Describe("StreamFlakyPost", "An agent whose tool fails on request: an error event mid-stream, then done {status: failed}. (POST, JSON body)");

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
        streams.Start(http, new RunPlan("flaky", agents.Flaky(request.Fail ?? true), new AgentRequest(request.Prompt!))
        {
            TimeLimit = request.TimeLimit,
        });

    private static RouteHandlerBuilder Describe(this RouteHandlerBuilder endpoint, string name, string summary) =>
        endpoint.WithName(name).WithSummary(summary).WithDescription(Events).ProducesValidationProblem();
}
