using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Validation;
using StreamingApi.Agents;

namespace StreamingApi.Approvals;

/// <summary>The body of <c>POST /runs/{runId}/approvals/{approvalId}</c>.</summary>
[ValidatableType]
public sealed class ApprovalDecisionRequest
{
    [Description("true runs the tool call; false refuses it (its tool-result then has error: denied).")]
    [Required]
    public bool? Approved { get; set; }

    [Description("Why, in a few words: shown in the approval event, and given to the model with a denial.")]
    [StringLength(500)]
    public string? Reason { get; set; }
}

/// <summary>The decision that stands for an approval: the answer of <c>POST /runs/{runId}/approvals/{approvalId}</c>.</summary>
public sealed record ApprovalDecisionResponse(string RunId, string ApprovalId, bool Approved, string? Reason)
{
    public static ApprovalDecisionResponse Of(string runId, ApprovalDecision decision) =>
        new(runId, decision.ApprovalId, decision.Approved, decision.Reason);
}
