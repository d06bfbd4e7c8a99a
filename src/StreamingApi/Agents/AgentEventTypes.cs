namespace StreamingApi.Agents;

/// <summary>
/// The names of the event types a run produces: the SSE <c>event:</c> field, the <c>event</c> tag of the metrics,
/// the list in the OpenAPI description and the list the console page listens for. Named here once.
/// </summary>
public static class AgentEventTypes
{
    public const string Run = "run";

    /// <summary>A run's state up to a sequence, in place of the events before it that are no longer held.</summary>
    public const string Snapshot = "snapshot";
    public const string Text = "text";
    public const string Reasoning = "reasoning";
    public const string ToolCall = "tool-call";
    public const string ToolResult = "tool-result";
    public const string Partial = "partial";
    public const string Result = "result";

    /// <summary>A tool call waits for a person's decision; the run waits with it.</summary>
    public const string ApprovalRequest = "approval-request";

    /// <summary>The decision on an <see cref="ApprovalRequest"/>: the tool runs, or does not.</summary>
    public const string Approval = "approval";
    public const string Progress = "progress";
    public const string Error = "error";
    public const string Done = "done";

    /// <summary>
    /// Every type, in the order a stream can bring them (<c>run</c> or <c>snapshot</c> first, <c>done</c> last). A
    /// <c>snapshot</c> is not one of the run's own events: a store makes it for a reader whose position is no longer held.
    /// </summary>
    public static readonly IReadOnlyList<string> All = [Run, Snapshot, Text, Reasoning, ToolCall, ApprovalRequest, Approval, ToolResult, Partial, Result, Progress, Error, Done];
}
