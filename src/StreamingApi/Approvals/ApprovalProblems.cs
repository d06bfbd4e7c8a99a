using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Approvals;

/// <summary>The RFC 9457 problem details of decisions (and of results of the client's tools) that cannot be taken.</summary>
public static class ApprovalProblems
{
    public static ProblemHttpResult NotFound(string runId, string approvalId) =>
        Problem(StatusCodes.Status404NotFound, "The approval was not found",
            $"Run {runId} has asked for no approval {Shorten(approvalId)}.", runId, approvalId);

    private static ProblemHttpResult Conflict(string runId, string approvalId, ApprovalDecision standing) =>
        Problem(StatusCodes.Status409Conflict, "The approval was decided otherwise",
            $"Approval {approvalId} of run {runId} was already {(standing.Approved ? "approved" : "denied")}" +
            $"{(standing.Reason is { } reason ? $" ({Shorten(reason)})" : "")}; a decision cannot be changed.", runId, approvalId);

    private static ProblemHttpResult Expired(string runId, string approvalId) =>
        Problem(StatusCodes.Status410Gone, "The approval has expired",
            $"Approval {approvalId} of run {runId} was not decided in time, so the tool call was denied (reason: timeout).", runId, approvalId);

    /// <summary>Why a decision was not taken (404, 409, 410); null when it stands (recorded now, or the same again).</summary>
    public static ProblemHttpResult? Refusal(string runId, string approvalId, ApprovalDecisionResult result) => result.Outcome switch
    {
        ApprovalOutcome.Recorded or ApprovalOutcome.Same => null,
        ApprovalOutcome.Conflict => Conflict(runId, approvalId, result.Decision!),
        ApprovalOutcome.Expired => Expired(runId, approvalId),
        _ => NotFound(runId, approvalId),
    };

    /// <summary>Why a result of the client's tool call was not taken (404, 409, 410); null when it stands.</summary>
    public static ProblemHttpResult? ToolResultRefusal(string runId, string callId, ApprovalDecisionResult result) => result.Outcome switch
    {
        ApprovalOutcome.Recorded or ApprovalOutcome.Same => null,
        ApprovalOutcome.Conflict => ToolProblem(StatusCodes.Status409Conflict, "The tool call has another result",
            $"Call {callId} of run {runId} already has a different result; a result cannot be changed.", runId, callId),
        ApprovalOutcome.Expired => ToolProblem(StatusCodes.Status410Gone, "The tool call's result came too late",
            $"Run {runId} waited for the result of call {callId} until its time ran out (Runs:ApprovalTimeoutSeconds), and went on without it.", runId, callId),
        _ => ToolProblem(StatusCodes.Status404NotFound, "The tool call was not found",
            $"Run {runId} waits for no result of a client's tool call {Shorten(callId)}.", runId, callId),
    };

    private static ProblemHttpResult ToolProblem(int status, string title, string detail, string runId, string callId) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["runId"] = runId, ["toolCallId"] = callId });

    private static ProblemHttpResult Problem(int status, string title, string detail, string runId, string approvalId) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["runId"] = runId, ["approvalId"] = approvalId });

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
