using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Security;

namespace StreamingApi.Streaming;

/// <summary>
/// The SSE endpoints. Each takes GET with query parameters (for EventSource) or POST with a JSON body, starts a run
/// and streams it; a request with <c>Last-Event-ID</c> (a browser reconnecting) continues that run instead.
/// </summary>
public static class StreamEndpoints
{
    private static readonly string Events =
        "Server-Sent Events. Every frame has id: <runId>:<seq>, event: <type>, data: <one line of JSON>; the first also has retry:. " +
        $"Types: {string.Join(", ", AgentEventTypes.All)} ({AgentEventTypes.Run} first, {AgentEventTypes.Done} last). " +
        "A request with Last-Event-ID: <runId>:<seq> continues that run after seq (from a snapshot event when those events are no " +
        "longer held); 204 when there is nothing to continue. See docs/protocol.md.";

    public static RouteGroupBuilder MapStreams(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/stream").WithTags("Streams").RequireRunAccess();

        // Each stream's GET (query parameters) and POST (JSON body) start the same plan. The request delegates are generated at
        // compile time: one lambda per method and request type, since the generator does not see through a helper over a type
        // parameter.
        group.MapGet("/text", ([AsParameters] StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), TextPlan))
            .DescribeGet("StreamText", TextSummary);
        group.MapPost("/text", (StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), TextPlan))
            .DescribePost("StreamText", TextSummary);

        group.MapGet("/analysis", ([AsParameters] StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), AnalysisPlan))
            .DescribeGet("StreamAnalysis", AnalysisSummary);
        group.MapPost("/analysis", (StreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), AnalysisPlan))
            .DescribePost("StreamAnalysis", AnalysisSummary);

        group.MapGet("/progress", ([AsParameters] ProgressStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), ProgressPlan))
            .DescribeGet("StreamProgress", ProgressSummary);
        group.MapPost("/progress", (ProgressStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), ProgressPlan))
            .DescribePost("StreamProgress", ProgressSummary);

        group.MapGet("/buffered", ([AsParameters] BufferedStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), BufferedPlan))
            .DescribeGet("StreamBuffered", BufferedSummary);
        group.MapPost("/buffered", (BufferedStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), BufferedPlan))
            .DescribePost("StreamBuffered", BufferedSummary);

        group.MapGet("/flaky", ([AsParameters] FlakyStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), FlakyPlan))
            .DescribeGet("StreamFlaky", FlakySummary);
        group.MapPost("/flaky", (FlakyStreamRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), FlakyPlan))
            .DescribePost("StreamFlaky", FlakySummary);

        // The page's list of event types, from the one list the server has.
        group.MapGet("/event-types.js", () => TypedResults.Text(
                $"export const EVENT_TYPES = {System.Text.Json.JsonSerializer.Serialize(AgentEventTypes.All)};\n", "text/javascript"))
            .ExcludeFromDescription()
            .AllowAnonymous();

        return group;
    }

    private const string TextSummary = "Streams a plain text answer, delta by delta.";
    private const string AnalysisSummary = "A data analyst with tools: tool calls live, then a validated structured result.";
    private const string ProgressSummary = "Text plus a progress event every N chunks and once at the end.";
    private const string BufferedSummary = "Text deltas coalesced into frames of at least minChars, or after maxDelayMs.";
    private const string FlakySummary = "An agent whose tool fails on request: an error event mid-stream, then done {status: failed}.";

    // Made once: a request hands its parts over as they are, rather than in a closure of its own.
    private static readonly Func<(StreamRequest Request, AgentCatalog Agents), RunPlan> TextPlan = parts =>
        new RunPlan("text", parts.Agents.Writer, new AgentRequest(parts.Request.Prompt!)) { TimeLimit = parts.Request.TimeLimit };

    private static readonly Func<(StreamRequest Request, AgentCatalog Agents), RunPlan> AnalysisPlan = parts =>
        new RunPlan("analysis", parts.Agents.Analyst, new AgentRequest(parts.Request.Prompt!)) { TimeLimit = parts.Request.TimeLimit };

    private static readonly Func<(ProgressStreamRequest Request, AgentCatalog Agents), RunPlan> ProgressPlan = parts =>
        new RunPlan("progress", parts.Agents.Writer, new AgentRequest(parts.Request.Prompt!))
        {
            TimeLimit = StreamRequest.TimeLimitOf(parts.Request.MaxSeconds),
            Shape = RunShape.WithProgress(parts.Request.Every ?? ProgressStreamRequest.DefaultEvery),
        };

    private static readonly Func<(BufferedStreamRequest Request, AgentCatalog Agents), RunPlan> BufferedPlan = parts =>
        new RunPlan("buffered", parts.Agents.Writer, new AgentRequest(parts.Request.Prompt!))
        {
            TimeLimit = StreamRequest.TimeLimitOf(parts.Request.MaxSeconds),
            Shape = new RunShape
            {
                MinChars = parts.Request.MinChars ?? BufferedStreamRequest.DefaultMinChars,
                MaxDelayMs = parts.Request.MaxDelayMs ?? BufferedStreamRequest.DefaultMaxDelayMs,
            },
        };

    private static readonly Func<(FlakyStreamRequest Request, AgentCatalog Agents), RunPlan> FlakyPlan = parts =>
        new RunPlan("flaky", parts.Agents.Flaky(parts.Request.Fail ?? true), new AgentRequest(parts.Request.Prompt!))
        {
            TimeLimit = StreamRequest.TimeLimitOf(parts.Request.MaxSeconds),
        };

    private static void DescribeGet(this RouteHandlerBuilder endpoint, string name, string summary) =>
        endpoint.DescribeStream(name, $"{summary} (GET, query parameters)");

    private static void DescribePost(this RouteHandlerBuilder endpoint, string name, string summary) =>
        endpoint.DescribeStream($"{name}Post", $"{summary} (POST, JSON body)");

    private static void DescribeStream(this RouteHandlerBuilder endpoint, string name, string summary) =>
        endpoint.WithName(name).WithSummary(summary).WithDescription(Events)
            .StartsRuns(exceptWhen: EventStreams.Resumes); // a reconnecting browser continues its run
}
