using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Agents;

namespace StreamingApi.Approvals;

/// <summary>The RFC 9457 problem details of decisions that cannot be taken.</summary>
public static class ApprovalProblems
{
    public static ProblemHttpResult NotFound(string runId, string approvalId) =>
        Problem(StatusCodes.Status404NotFound, "The approval was not found",
            $"Run {runId} has asked for no approval {Shorten(approvalId)}.", runId, approvalId);

    public static ProblemHttpResult Conflict(string runId, string approvalId, ApprovalDecision standing) =>
        Problem(StatusCodes.Status409Conflict, "The approval was decided otherwise",
            $"Approval {approvalId} of run {runId} was already {(standing.Approved ? "approved" : "denied")}" +
            $"{(standing.Reason is { } reason ? $" ({Shorten(reason)})" : "")}; a decision cannot be changed.", runId, approvalId);

    public static ProblemHttpResult Expired(string runId, string approvalId) =>
        Problem(StatusCodes.Status410Gone, "The approval has expired",
            $"Approval {approvalId} of run {runId} was not decided in time, so the tool call was denied (reason: timeout).", runId, approvalId);

    private static ProblemHttpResult Problem(int status, string title, string detail, string runId, string approvalId) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["runId"] = runId, ["approvalId"] = approvalId });

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
