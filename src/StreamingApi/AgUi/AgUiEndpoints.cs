using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StreamingApi.Agents;
using StreamingApi.Approvals;
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

    private const string Interrupts =
        " A tool call that needs a person's approval ends the response with RUN_FINISHED {outcome: {type: \"interrupt\", interrupts}} while " +
        "the run waits; the next request on the thread answers them in resume ([{interruptId, status, payload: {approved, reason?}}]) and " +
        "streams the run's continuation. A call of one of the client's tools ends the response with RUN_FINISHED (no outcome) while the run " +
        "waits; the next request's trailing tool messages give the results and stream the continuation. 404 when the thread has no such " +
        "run or interrupt, 409 when its run does not wait or an answer was given otherwise, 410 when an interrupt expired.";

    public static RouteGroupBuilder MapAgUi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/agents").WithTags("AG-UI").RequireRunAccess();

        group.MapPost("/{agent}/ag-ui", StartAsync)
            .WithName("AgUiRun")
            .WithSummary("Runs the agent (writer, analyst or inventory) on the conversation and streams AG-UI events.")
            .WithDescription(Stream + Interrupts)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .StartsRuns();

        group.MapPost("/{agent}/ag-ui/connect", ConnectAsync)
            .WithName("AgUiConnect")
            .WithSummary("The thread's run with the agent, if it is still going: RUN_STARTED, MESSAGES_SNAPSHOT (the conversation with the run's " +
                         "messages so far), then live (or, while it waits for approvals, RUN_FINISHED with its interrupts); an empty stream when there is none.")
            .WithDescription(Stream + " What an AG-UI client's connect() (AbstractAgent.connectAgent) asks when it comes back to a thread.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<AgUiEventStream, ProblemHttpResult>> StartAsync(string agent, RunAgentInput input, AgentCatalog agents, EventStreams streams,
        RunHost runs, RunAccess access, TimeProvider time, IOptions<JsonOptions> json, HttpContext http)
    {
        if (agents.Find(agent, fail: input.Fail) is not { } found) return StreamProblems.AgentNotFound(agent, agents.Names);
        if (input.Continues) return await ContinueAsync(found, input, runs, access, time, json.Value.SerializerOptions, http);
        var plan = new RunPlan("ag-ui", found, input.ToAgentRequest())
        {
            TimeLimit = input.TimeLimit,
            Shape = RunShape.WithProgress(input.Every),
            ThreadId = input.ThreadId,
        };
        return await streams.StartAsync(http, plan, reader =>
        {
            var mapping = new AgUiMapping(input.ThreadId!, input.RunId!, reader.RunId, json.Value.SerializerOptions);
            return new AgUiEventStream(new UntilWaitingReader(reader, mapping, runs.FindAsync, time), mapping);
        });
    }

    /// <summary>
    /// The answers to what the thread's waiting run (its latest, which must be the agent's and the caller's) asked the
    /// client: each interrupt's decision on its approval, as <c>POST /runs/{runId}/approvals/{approvalId}</c> records it,
    /// and each trailing tool message as the result of the client's tool call it names. The run's continuation is
    /// streamed as the client's new run: the events after it began to wait, from its <c>approval</c> events and the
    /// client's results on (the results themselves are the client's already: not told again). The reader is opened
    /// before the answers, so that none of those events is missed however soon the run goes on. Everything the run waits
    /// for must be answered (as the client itself insists for interrupts); tool messages of earlier calls are the
    /// conversation's, not answers. Anything wrong is a problem before the stream.
    /// </summary>
    private static async Task<Results<AgUiEventStream, ProblemHttpResult>> ContinueAsync(IAgent agent, RunAgentInput input, RunHost runs,
        RunAccess access, TimeProvider time, JsonSerializerOptions json, HttpContext http)
    {
        var threadId = input.ThreadId!;
        var cancellationToken = http.RequestAborted;
        if (await runs.FindLatestAsync(threadId, cancellationToken) is not { } record || record.Agent != agent.Name || !access.MaySee(http, record))
            return AgUiProblems.NothingToResume(threadId, agent.Name);
        if (record.Status != RunStatus.Waiting || await runs.OutputAsync(record.RunId, cancellationToken) is not { } output)
            return AgUiProblems.NotWaiting(threadId, record);
        var runId = record.RunId;
        var asked = output.ToolCalls.Where(c => c.Approval is not null).Select(c => c.Approval!).ToList();
        var decisions = input.Decisions();
        if (decisions.FirstOrDefault(d => asked.All(a => a.ApprovalId != d.InterruptId)) is { } unknown)
            return ApprovalProblems.NotFound(runId, unknown.InterruptId);
        var unanswered = asked.Where(a => a.Approved is null && decisions.All(d => d.InterruptId != a.ApprovalId)).Select(a => a.ApprovalId).ToList();
        if (unanswered.Count > 0)
            return StreamProblems.Invalid("resume", $"Every interrupt of the run must be answered; {string.Join(", ", unanswered)} {(unanswered.Count == 1 ? "is" : "are")} not.");
        var open = output.ToolCalls.Where(c => c is { Client: true, ElapsedMs: null }).Select(c => c.CallId).ToHashSet(StringComparer.Ordinal);
        var results = input.ToolResults().Where(r => open.Contains(r.CallId)).ToList();
        if (open.Except(results.Select(r => r.CallId)).ToList() is { Count: > 0 } missing)
            return StreamProblems.Invalid("messages", $"The run waits for the results of the client's tool calls {string.Join(", ", missing)}: every one must be " +
                                                      "given, each in a tool message with its toolCallId, at the end of the messages.");

        // The continuation: the events after the run began to wait (where its snapshot ends).
        if (await runs.OpenAsync(runId, output.Sequence, cancellationToken) is not { Status: RunOpeningStatus.Opened, Reader: { } reader })
            return AgUiProblems.NotWaiting(threadId, record);
        foreach (var (id, isResult, answer) in Answers())
        {
            var result = await answer;
            var problem = isResult ? ApprovalProblems.ToolResultRefusal(runId, id, result) : ApprovalProblems.Refusal(runId, id, result);
            if (problem is null) continue;
            await reader.DisposeAsync();
            return problem;
        }
        var mapping = new AgUiMapping(threadId, input.RunId!, runId, json)
        {
            IdPrefix = $"{runId}-{output.Sequence}",
            Continues = true,
            Model = record.Model,
        };
        return new AgUiEventStream(new UntilWaitingReader(reader, mapping, runs.FindAsync, time), mapping);

        // One at a time, in order: the decisions, then the results.
        IEnumerable<(string Id, bool IsResult, ValueTask<ApprovalDecisionResult> Answer)> Answers()
        {
            foreach (var d in decisions) yield return (d.InterruptId, false, runs.DecideAsync(runId, d.InterruptId, d.Approved, d.Reason, cancellationToken));
            foreach (var r in results) yield return (r.CallId, true, runs.SubmitToolResultAsync(runId, r.CallId, ClientToolList.OutputOf(r.Content), cancellationToken));
        }
    }

    /// <summary>
    /// The thread's latest run, if it is still going and is the agent's (runs started here record the thread), as the run
    /// so far in one snapshot and then live, so that the client replaces its copy of the run rather than having the run
    /// replayed into it. A run that waits for approvals is still going: its snapshot is followed by <c>RUN_FINISHED</c>
    /// with the interrupts, which the client answers with <c>resume</c>. Nothing to resume is an empty stream, not a
    /// 204: <c>connectAgent</c> ends quietly on a stream without events, whereas the client's HTTP helpers fail on a
    /// response without a body. Another principal's run is answered as no run.
    /// </summary>
    private static async Task<Results<AgUiEventStream, ProblemHttpResult>> ConnectAsync(string agent, ConnectAgentInput input, AgentCatalog agents, RunHost runs,
        RunAccess access, TimeProvider time, IOptions<JsonOptions> json, HttpContext http)
    {
        if (agents.Find(agent) is not { } found) return StreamProblems.AgentNotFound(agent, agents.Names);
        if (await runs.FindLatestAsync(input.ThreadId!, http.RequestAborted) is { IsLive: true } run && run.Agent == found.Name && access.MaySee(http, run)
            && await runs.OpenAsync(run.RunId, 0, http.RequestAborted) is { Status: RunOpeningStatus.Opened, Reader: { } reader })
        {
            // A run that waits for decisions: its snapshot, then RUN_FINISHED with the interrupts it waits for.
            var mapping = new AgUiMapping(input.ThreadId!, input.RunId ?? reader.RunId, reader.RunId, json.Value.SerializerOptions, input.Messages);
            return new AgUiEventStream(new UntilWaitingReader(new SnapshotFirstReader(reader), mapping, runs.FindAsync, time), mapping);
        }
        return AgUiEventStream.Empty;
    }
}
