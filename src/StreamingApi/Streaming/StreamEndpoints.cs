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

        group.MapStream<StreamRequest>("/text", "StreamText", "Streams a plain text answer, delta by delta.",
            (request, agents) => new RunPlan("text", agents.Writer, new AgentRequest(request.Prompt!)) { TimeLimit = request.TimeLimit });

        group.MapStream<StreamRequest>("/analysis", "StreamAnalysis",
            "A data analyst with tools: tool calls live, then a validated structured result.",
            (request, agents) => new RunPlan("analysis", agents.Analyst, new AgentRequest(request.Prompt!)) { TimeLimit = request.TimeLimit });

        group.MapStream<ProgressStreamRequest>("/progress", "StreamProgress", "Text plus a progress event every N chunks and once at the end.",
            (request, agents) => new RunPlan("progress", agents.Writer, new AgentRequest(request.Prompt!))
            {
                TimeLimit = request.TimeLimit,
                Shape = RunShape.WithProgress(request.Every ?? ProgressStreamRequest.DefaultEvery),
            });

        group.MapStream<BufferedStreamRequest>("/buffered", "StreamBuffered",
            "Text deltas coalesced into frames of at least minChars, or after maxDelayMs.",
            (request, agents) => new RunPlan("buffered", agents.Writer, new AgentRequest(request.Prompt!))
            {
                TimeLimit = request.TimeLimit,
                Shape = new RunShape
                {
                    MinChars = request.MinChars ?? BufferedStreamRequest.DefaultMinChars,
                    MaxDelayMs = request.MaxDelayMs ?? BufferedStreamRequest.DefaultMaxDelayMs,
                },
            });

        group.MapStream<FlakyStreamRequest>("/flaky", "StreamFlaky",
            "An agent whose tool fails on request: an error event mid-stream, then done {status: failed}.",
            (request, agents) => new RunPlan("flaky", agents.Flaky(request.Fail ?? true), new AgentRequest(request.Prompt!))
            {
                TimeLimit = request.TimeLimit,
            });

        // The page's list of event types, from the one list the server has.
        group.MapGet("/event-types.js", () => TypedResults.Text(
                $"export const EVENT_TYPES = {System.Text.Json.JsonSerializer.Serialize(AgentEventTypes.All)};\n", "text/javascript"))
            .ExcludeFromDescription()
            .AllowAnonymous();

        return group;
    }

    /// <summary>Maps GET (query parameters) and POST (JSON body) of one stream to the same plan.</summary>
    private static void MapStream<TRequest>(this RouteGroupBuilder group, string pattern, string name, string summary,
        Func<TRequest, AgentCatalog, RunPlan> plan) where TRequest : StreamRequest
    {
        // Made once here: a request hands its parts over as they are, rather than in a closure of its own.
        Func<(TRequest Request, AgentCatalog Agents), RunPlan> planOf = parts => plan(parts.Request, parts.Agents);
        // These request delegates are built at start-up, not generated at compile time (the generator skips an endpoint
        // over a type parameter): the generated ones bind no inherited property of an [AsParameters] type (a derived
        // request's prompt) and answer a query number that does not parse with a bare 400, where these name the value.
#pragma warning disable RDG011
        group.MapGet(pattern, ([AsParameters] TRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), planOf))
            .DescribeStream(name, $"{summary} (GET, query parameters)");
        group.MapPost(pattern, (TRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                streams.StartOrResumeAsync(http, (request, agents), planOf))
            .DescribeStream($"{name}Post", $"{summary} (POST, JSON body)");
#pragma warning restore RDG011
    }

    private static void DescribeStream(this RouteHandlerBuilder endpoint, string name, string summary) =>
        endpoint.WithName(name).WithSummary(summary).WithDescription(Events)
            .StartsRuns(exceptWhen: EventStreams.Resumes); // a reconnecting browser continues its run
}
