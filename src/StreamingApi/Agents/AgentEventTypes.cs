namespace StreamingApi.Agents;

/// <summary>
/// The names of the event types a run produces: the SSE <c>event:</c> field, the <c>event</c> tag of the metrics,
/// the list in the OpenAPI description and the list the console page listens for. Named here once.
/// </summary>
public static class AgentEventTypes
{
    public const string Run = "run";
    public const string Text = "text";
    public const string Reasoning = "reasoning";
    public const string ToolCall = "tool-call";
    public const string ToolResult = "tool-result";
    public const string Partial = "partial";
    public const string Result = "result";
    public const string Progress = "progress";
    public const string Error = "error";
    public const string Done = "done";

    /// <summary>Every type, in the order a run can produce them (<c>run</c> first, <c>done</c> last).</summary>
    public static readonly IReadOnlyList<string> All = [Run, Text, Reasoning, ToolCall, ToolResult, Partial, Result, Progress, Error, Done];
}
