using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Security;
using StreamingApi.Streaming;

namespace StreamingApi.VercelUi;

/// <summary>
/// The Vercel AI SDK's chat endpoints: what <c>useChat</c> with <c>DefaultChatTransport</c> posts to and resumes
/// from. <c>/api/chat</c> is the writer (the path <c>useChat</c> uses by default); <c>/api/agents/{agent}/chat</c> any
/// agent, by the name its <c>run</c> event uses.
/// </summary>
public static class ChatEndpoints
{
    private const string Stream =
        "The Vercel AI SDK's UI message stream, protocol v1 (header x-vercel-ai-ui-message-stream: v1): one data: line of JSON per " +
        "part, then data: [DONE]. The message's id (start.messageId) is the run's id. See docs/protocol.md.";

    public static RouteGroupBuilder MapChat(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Vercel AI SDK").RequireRunAccess();

        group.MapPost("/chat", (ChatRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                StartAsync(agents.Writer.Name, request, agents, streams, http))
            .WithName("Chat")
            .WithSummary("The writer answers the conversation as a UI message stream (useChat's default path).")
            .DescribeStart();

        group.MapGet("/chat/{chatId}/stream", (string chatId, AgentCatalog agents, RunHost runs, RunAccess access, HttpContext http) =>
                ResumeAsync(agents.Writer.Name, chatId, agents, runs, access, http))
            .WithName("ResumeChat")
            .WithSummary("The chat's current run from its start (from its snapshot when its first events are no longer held), then live; " +
                         "204 when the chat has no run going.")
            .DescribeResume();

        group.MapPost("/agents/{agent}/chat", (string agent, ChatRequest request, AgentCatalog agents, EventStreams streams, HttpContext http) =>
                StartAsync(agent, request, agents, streams, http))
            .WithName("AgentChat")
            .WithSummary("The agent (writer, analyst or inventory) answers the conversation as a UI message stream.")
            .DescribeStart();

        group.MapGet("/agents/{agent}/chat/{chatId}/stream", (string agent, string chatId, AgentCatalog agents, RunHost runs, RunAccess access,
                HttpContext http) => ResumeAsync(agent, chatId, agents, runs, access, http))
            .WithName("ResumeAgentChat")
            .WithSummary("The chat's current run with the agent from its start (or its snapshot), then live; 204 when there is none.")
            .DescribeResume();

        return group;
    }

    private static Task<Results<UiMessageStream, ProblemHttpResult>> StartAsync(string agentName, ChatRequest request, AgentCatalog agents, EventStreams streams, HttpContext http)
    {
        if (agents.Find(agentName, fail: request.Fail ?? false) is not { } agent)
            return Task.FromResult<Results<UiMessageStream, ProblemHttpResult>>(StreamProblems.AgentNotFound(agentName, agents.Names));
        var plan = new RunPlan("chat", agent, request.ToAgentRequest())
        {
            TimeLimit = request.TimeLimit,
            Shape = request.Every is { } every ? ProgressEvents.Every(every) : null,
            ThreadId = request.Id,
        };
        return streams.StartAsync(http, plan, reader => new UiMessageStream(reader));
    }

    /// <summary>
    /// What <c>useChat({ resume: true })</c> asks when it mounts: the chat's latest run, if it is still going and is the
    /// agent's, from its start (replayed, or from the run's snapshot when its first events are no longer held), then live.
    /// Another principal's run is answered as no run.
    /// </summary>
    private static async Task<Results<UiMessageStream, NoContent, ProblemHttpResult>> ResumeAsync(string agentName, string chatId, AgentCatalog agents, RunHost runs,
        RunAccess access, HttpContext http)
    {
        if (agents.Find(agentName) is not { } agent) return StreamProblems.AgentNotFound(agentName, agents.Names);
        if (await runs.FindLatestAsync(chatId, http.RequestAborted) is not { IsRunning: true } run || run.Agent != agent.Name || !access.MaySee(http, run))
            return TypedResults.NoContent();
        var opening = await runs.OpenAsync(run.RunId, 0, http.RequestAborted);
        if (opening.Status != RunOpeningStatus.Opened) return TypedResults.NoContent();
        return new UiMessageStream(opening.Reader!);
    }

    private static void DescribeStart(this RouteHandlerBuilder endpoint) =>
        endpoint.WithDescription(Stream)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .StartsRuns();

    private static void DescribeResume(this RouteHandlerBuilder endpoint) =>
        endpoint.WithDescription(Stream)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
