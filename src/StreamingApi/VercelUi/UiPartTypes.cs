namespace StreamingApi.VercelUi;

/// <summary>
/// The part types of the UI message stream that we send, named once. Only the set that every supported client
/// accepts, from the AI SDK 5.0.0 (whose schemas reject any field they do not know) to 7.x: no <c>finishReason</c>,
/// no <c>abort.reason</c>, no provider metadata, titles or tool-input streaming. The two approval parts go only to
/// clients of AI SDK 6 or later, in the fields 6.0.0 accepts.
/// </summary>
public static class UiPartTypes
{
    public const string Start = "start";
    public const string StartStep = "start-step";
    public const string FinishStep = "finish-step";
    public const string TextStart = "text-start";
    public const string TextDelta = "text-delta";
    public const string TextEnd = "text-end";
    public const string ReasoningStart = "reasoning-start";
    public const string ReasoningDelta = "reasoning-delta";
    public const string ReasoningEnd = "reasoning-end";
    public const string ToolInputAvailable = "tool-input-available";
    public const string ToolOutputAvailable = "tool-output-available";
    public const string ToolOutputError = "tool-output-error";

    /// <summary>AI SDK 6 and later only: 5.0 knows no approvals (see <see cref="UiMessageStreamOptions.Approvals"/>).</summary>
    public const string ToolApprovalRequest = "tool-approval-request";

    /// <summary>AI SDK 6 and later only, like <see cref="ToolApprovalRequest"/>.</summary>
    public const string ToolOutputDenied = "tool-output-denied";
    public const string DataResult = "data-result";
    public const string DataProgress = "data-progress";
    public const string Error = "error";
    public const string MessageMetadata = "message-metadata";
    public const string Finish = "finish";
    public const string Abort = "abort";

    /// <summary>The stream's last line, after the last part.</summary>
    public const string Done = "[DONE]";
}
