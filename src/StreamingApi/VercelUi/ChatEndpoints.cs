using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;
using StreamingApi.Approvals;
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
        "part, then data: [DONE]. The message's id (start.messageId) is the run's id. A run that waits for tool approvals ends the " +
        "response (finish, messageMetadata.status waiting); the client's next request, with the assistant message's tool parts in state " +
        "approval-responded, decides and continues the same message. So does a call of one of the client's own tools (body tools): its " +
        "result comes in the next request's tool part in state output-available. See docs/protocol.md.";

    public static RouteGroupBuilder MapChat(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Vercel AI SDK").RequireRunAccess();

        group.MapPost("/chat", (ChatRequest request, AgentCatalog agents, EventStreams streams, RunHost runs, RunAccess access, HttpContext http) =>
                StartAsync(agents.Writer.Name, request, agents, streams, runs, access, http))
            .WithName("Chat")
            .WithSummary("The writer answers the conversation as a UI message stream (useChat's default path).")
            .DescribeStart();

        group.MapGet("/chat/{chatId}/stream", (string chatId, AgentCatalog agents, RunHost runs, RunAccess access, HttpContext http) =>
                ResumeAsync(agents.Writer.Name, chatId, agents, runs, access, http))
            .WithName("ResumeChat")
            .WithSummary("The chat's current run from its start (from its snapshot when its first events are no longer held), then live; " +
                         "204 when the chat has no run going.")
            .DescribeResume();

        group.MapPost("/agents/{agent}/chat", (string agent, ChatRequest request, AgentCatalog agents, EventStreams streams, RunHost runs,
                RunAccess access, HttpContext http) => StartAsync(agent, request, agents, streams, runs, access, http))
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

    private static Task<Results<UiMessageStream, ProblemHttpResult>> StartAsync(string agentName, ChatRequest request, AgentCatalog agents,
        EventStreams streams, RunHost runs, RunAccess access, HttpContext http)
    {
        if (agents.Find(agentName, fail: request.Fail ?? false) is not { } agent)
            return Task.FromResult<Results<UiMessageStream, ProblemHttpResult>>(StreamProblems.AgentNotFound(agentName, agents.Names));
        if (request.Continues) return ContinueAsync(agent, request, runs, access, http);
        var plan = new RunPlan("chat", agent, request.ToAgentRequest())
        {
            TimeLimit = request.TimeLimit,
            Shape = RunShape.WithProgress(request.Every),
            ThreadId = request.Id,
        };
        var options = new UiMessageStreamOptions { Approvals = AnswersApprovals(http, request) };
        return streams.StartAsync(http, plan, reader => new UiMessageStream(reader, options));
    }

    /// <summary>
    /// The client's answers to what its last response asked for: its decisions on the approvals (the assistant message's
    /// tool parts in state <c>approval-responded</c>), each recorded as <c>POST /runs/{runId}/approvals/{approvalId}</c>
    /// records it, and the results of its own tools' calls that the run waits for (parts in state <c>output-available</c>
    /// or <c>output-error</c>), with the same answers when one cannot be taken (404, 409, 410 as problem details, before
    /// any part). The response continues the same message, from the run's answers on: the calls' results, then the
    /// model's answer. The run is the one that answers that message (its id is the run's), of this chat and agent, and
    /// the caller's to see.
    /// </summary>
    private static async Task<Results<UiMessageStream, ProblemHttpResult>> ContinueAsync(IAgent agent, ChatRequest request, RunHost runs,
        RunAccess access, HttpContext http)
    {
        var messageId = request.Messages![^1]!.Id ?? "";
        if (await runs.FindAsync(messageId, http.RequestAborted) is not { } record || record.ThreadId != request.Id || record.Agent != agent.Name
            || !access.MaySee(http, record))
            return StreamProblems.RunNotFound(messageId);
        // The results of the client's own calls (given before, they are answered as they stand: the same again, or a conflict).
        var clientCalls = (await runs.OutputAsync(record.RunId, http.RequestAborted))?.ToolCalls.Where(c => c.Client)
            .Select(c => c.CallId).ToHashSet(StringComparer.Ordinal) ?? [];
        var outputs = request.ToolOutputs().Where(o => clientCalls.Contains(o.ToolCallId)).ToList();
        var decisions = request.ApprovalResponses();
        if (decisions.Count == 0 && outputs.Count == 0) return StreamProblems.Invalid("messages", $"Run {record.RunId} waits for nothing this message answers.");
        // What the response before this one gave ends where the run began to wait; when it has gone on since (answered
        // elsewhere), the answers are found by reading it from its start.
        long? after = record.Status == RunStatus.Waiting ? record.LastSequence : null;
        foreach (var decision in decisions)
        {
            var result = await runs.DecideAsync(record.RunId, decision.ApprovalId, decision.Approved, decision.Reason, CancellationToken.None);
            if (ApprovalProblems.Refusal(record.RunId, decision.ApprovalId, result) is { } problem) return problem;
        }
        foreach (var output in outputs)
        {
            var result = await runs.SubmitToolResultAsync(record.RunId, output.ToolCallId, output.Output, CancellationToken.None);
            if (ApprovalProblems.ToolResultRefusal(record.RunId, output.ToolCallId, result) is { } problem) return problem;
        }
        var opening = await runs.OpenAsync(record.RunId, after ?? 0, http.RequestAborted);
        if (opening.Status != RunOpeningStatus.Opened) return StreamProblems.RunNotFound(record.RunId);
        return new UiMessageStream(opening.Reader!, new UiMessageStreamOptions
        {
            ContinuedCalls = UiApprovalResponse.OpenCalls(request.Messages[^1]!),
            AnsweredCalls = outputs.Select(o => o.ToolCallId).ToHashSet(StringComparer.Ordinal),
            SkipToDecisions = after is null,
        });
    }

    /// <summary>
    /// Whether the client answers tool approvals: the request's <c>approvals</c>, else not when its User-Agent names the
    /// AI SDK 5 (<c>ai-sdk/5.</c>), else yes. Nothing else in a request tells the AI SDK's versions apart, and a browser
    /// may not send the SDK's User-Agent at all: an AI SDK 5 client says <c>approvals: false</c> in the transport's body.
    /// </summary>
    private static bool AnswersApprovals(HttpContext http, ChatRequest? request = null) =>
        request?.Approvals ?? !http.Request.Headers.UserAgent.ToString().Contains("ai-sdk/5.", StringComparison.Ordinal);

    /// <summary>
    /// What <c>useChat({ resume: true })</c> asks when it mounts: the chat's latest run, if it is still going and is the
    /// agent's, from its start (replayed, or from the run's snapshot when its first events are no longer held), then live.
    /// Another principal's run is answered as no run. A run that waits for approvals is given up to its requests.
    /// </summary>
    private static async Task<Results<UiMessageStream, NoContent, ProblemHttpResult>> ResumeAsync(string agentName, string chatId, AgentCatalog agents, RunHost runs,
        RunAccess access, HttpContext http)
    {
        if (agents.Find(agentName) is not { } agent) return StreamProblems.AgentNotFound(agentName, agents.Names);
        if (await runs.FindLatestAsync(chatId, http.RequestAborted) is not { IsLive: true } run || run.Agent != agent.Name || !access.MaySee(http, run))
            return TypedResults.NoContent();
        var opening = await runs.OpenAsync(run.RunId, 0, http.RequestAborted);
        if (opening.Status != RunOpeningStatus.Opened) return TypedResults.NoContent();
        // A waiting run: its message up to the approval requests, and the response ends (the client answers them as usual).
        return new UiMessageStream(opening.Reader!, new UiMessageStreamOptions { Approvals = AnswersApprovals(http) });
    }

    private static void DescribeStart(this RouteHandlerBuilder endpoint) =>
        endpoint.WithDescription(Stream)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .StartsRuns();

    private static void DescribeResume(this RouteHandlerBuilder endpoint) =>
        endpoint.WithDescription(Stream)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
