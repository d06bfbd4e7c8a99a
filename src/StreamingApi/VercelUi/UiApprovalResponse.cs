using System.Text.Json;

namespace StreamingApi.VercelUi;

/// <summary>
/// A decision the client gives in a tool part of the assistant's message (<c>addToolApprovalResponse</c>): the part's
/// state is <c>approval-responded</c>, its <c>approval</c> is <c>{id, approved, reason?}</c>.
/// </summary>
public sealed record UiApprovalResponse(string ToolCallId, string ApprovalId, bool Approved, string? Reason)
{
    public const string State = "approval-responded";

    /// <summary>At most as long as the reason <c>POST /runs/{runId}/approvals/{approvalId}</c> takes.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>The decisions in the message's tool parts (static <c>tool-*</c> or <c>dynamic-tool</c>), in their order.</summary>
    public static IReadOnlyList<UiApprovalResponse> Of(UiMessage message)
    {
        var responses = new List<UiApprovalResponse>();
        foreach (var part in message.Parts ?? [])
        {
            if (!IsResponded(part)) continue;
            var approval = part.GetProperty("approval");
            var reason = approval.TryGetProperty("reason", out var why) && why.ValueKind == JsonValueKind.String ? why.GetString() : null;
            responses.Add(new UiApprovalResponse(part.GetProperty("toolCallId").GetString()!, approval.GetProperty("id").GetString()!,
                approval.GetProperty("approved").GetBoolean(), reason));
        }
        return responses;
    }

    /// <summary>
    /// The tool calls of the message that have no result yet (the decided ones, and any other call of their step that
    /// runs once the run goes on): their results continue those parts.
    /// </summary>
    public static HashSet<string> OpenCalls(UiMessage message)
    {
        var calls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in message.Parts ?? [])
        {
            if (IsTool(part) && part.TryGetProperty("toolCallId", out var call) && call.ValueKind == JsonValueKind.String
                && part.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.String
                && state.GetString() is "input-streaming" or "input-available" or "approval-requested" or State)
                calls.Add(call.GetString()!);
        }
        return calls;
    }

    /// <summary>What is wrong with a part that says it holds a decision; null for a sound one, and for any other part.</summary>
    public static string? Problem(JsonElement part)
    {
        if (!part.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.String || state.GetString() != State) return null;
        if (!IsTool(part)) return null;
        if (!part.TryGetProperty("toolCallId", out var call) || call.ValueKind != JsonValueKind.String)
            return "A tool part in state approval-responded must have a string toolCallId.";
        if (!part.TryGetProperty("approval", out var approval) || approval.ValueKind != JsonValueKind.Object
            || !approval.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
            || !approval.TryGetProperty("approved", out var approved) || approved.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return "A tool part in state approval-responded must have an approval {id, approved, reason?}: a string id and a boolean approved.";
        if (approval.TryGetProperty("reason", out var reason) && reason.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            return "An approval's reason must be a string.";
        if (reason.ValueKind == JsonValueKind.String && reason.GetString()!.Length > MaxReasonLength)
            return $"An approval's reason must be at most {MaxReasonLength} characters.";
        return null;
    }

    private static bool IsResponded(JsonElement part) =>
        IsTool(part) && part.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.String && state.GetString() == State;

    /// <summary>Whether the part is a tool's (a static <c>tool-*</c> or a <c>dynamic-tool</c>).</summary>
    public static bool IsTool(JsonElement part) =>
        part.GetProperty("type").GetString() is { } type && (type == "dynamic-tool" || type.StartsWith("tool-", StringComparison.Ordinal));
}
