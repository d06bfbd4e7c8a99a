using Microsoft.AspNetCore.Http.HttpResults;
using StreamingApi.Runs;
using StreamingApi.Security;
using StreamingApi.Streaming;

namespace StreamingApi.Approvals;

/// <summary>
/// Decisions on the tool calls a run waits for (<c>approval-request</c> events). A decision may come to any instance:
/// it is recorded in the run store, and once the run has one for each of its requests, the instance that recorded the
/// last goes on with it. A run is its principal's: another principal's run, or approval, is answered as unknown.
/// </summary>
public static class ApprovalEndpoints
{
    public static RouteGroupBuilder MapApprovals(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/runs/{runId}/approvals").WithTags("Runs").RequireRunAccess();

        group.MapPost("/{approvalId}", DecideAsync)
            .WithName("DecideApproval")
            .WithSummary("Approves or denies a tool call the run waits for (its approval-request event). The same decision again is " +
                         "200; another one 409; an approval whose time ran out (Runs:ApprovalTimeoutSeconds) 410.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone);

        return group;
    }

    private static async Task<Results<Ok<ApprovalDecisionResponse>, ProblemHttpResult>> DecideAsync(string runId, string approvalId,
        ApprovalDecisionRequest decision, RunHost runs, RunAccess access, HttpContext http, CancellationToken cancellationToken)
    {
        if (await runs.FindAsync(runId, cancellationToken) is not { } record || !access.MaySee(http, record)) return StreamProblems.RunNotFound(runId);
        var result = await runs.DecideAsync(runId, approvalId, decision.Approved!.Value, decision.Reason, cancellationToken);
        return ApprovalProblems.Refusal(runId, approvalId, result) is { } problem
            ? problem
            : TypedResults.Ok(ApprovalDecisionResponse.Of(runId, result.Decision!));
    }
}
