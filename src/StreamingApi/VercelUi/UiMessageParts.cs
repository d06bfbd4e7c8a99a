using System.Text.Json.Serialization;

namespace StreamingApi.VercelUi;

/// <summary>
/// One part of the UI message stream, written as one line of JSON with <c>type</c> first. Optional fields that are
/// null are left out; <c>input</c>, <c>output</c> and <c>data</c> are always written, even as <c>null</c>, because
/// the clients require the key.
/// </summary>
public abstract record UiPart([property: JsonPropertyOrder(-1)] string Type);

/// <summary>The message begins; its id is the run's id, the same on every replay, so a resumed stream rebuilds the same message.</summary>
public sealed record UiStart(string MessageId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UiStartMetadata? MessageMetadata) : UiPart(UiPartTypes.Start);

/// <summary>The message's metadata from the start: which agent answers, on which model.</summary>
public sealed record UiStartMetadata(string Agent, string Model);

public sealed record UiStartStep() : UiPart(UiPartTypes.StartStep)
{
    public static readonly UiStartStep Instance = new();
}

public sealed record UiFinishStep() : UiPart(UiPartTypes.FinishStep)
{
    public static readonly UiFinishStep Instance = new();
}

public sealed record UiTextStart(string Id) : UiPart(UiPartTypes.TextStart);

public sealed record UiTextDelta(string Id, string Delta) : UiPart(UiPartTypes.TextDelta);

public sealed record UiTextEnd(string Id) : UiPart(UiPartTypes.TextEnd);

public sealed record UiReasoningStart(string Id) : UiPart(UiPartTypes.ReasoningStart);

public sealed record UiReasoningDelta(string Id, string Delta) : UiPart(UiPartTypes.ReasoningDelta);

public sealed record UiReasoningEnd(string Id) : UiPart(UiPartTypes.ReasoningEnd);

/// <summary>A tool call with its arguments. Our tools are not declared to the client, so every tool part is dynamic.</summary>
public sealed record UiToolInputAvailable(string ToolCallId, string ToolName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Input) : UiPart(UiPartTypes.ToolInputAvailable)
{
    public bool Dynamic => true;
}

public sealed record UiToolOutputAvailable(string ToolCallId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Output) : UiPart(UiPartTypes.ToolOutputAvailable)
{
    public bool Dynamic => true;
}

public sealed record UiToolOutputError(string ToolCallId, string ErrorText) : UiPart(UiPartTypes.ToolOutputError)
{
    public bool Dynamic => true;
}

/// <summary>
/// A tool call waits for the user's decision: the client's tool part becomes <c>approval-requested</c>. Only these two
/// fields: the AI SDK 6.0 schema refuses any other (no <c>dynamic</c>, no reason).
/// </summary>
public sealed record UiToolApprovalRequest(string ApprovalId, string ToolCallId) : UiPart(UiPartTypes.ToolApprovalRequest);

/// <summary>A tool call that was denied (by the user, or because nobody decided in time) and never ran. No other field in AI SDK 6.0.</summary>
public sealed record UiToolOutputDenied(string ToolCallId) : UiPart(UiPartTypes.ToolOutputDenied);

/// <summary>
/// The structured result as it grows: every <c>data-result</c> part has the id <c>result</c>, so the client replaces
/// the one part in place; <c>final</c> is true once the result is complete and validated.
/// </summary>
public sealed record UiDataResult([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] UiResult Data) : UiPart(UiPartTypes.DataResult)
{
    public const string PartId = "result";

    public string Id => PartId;
}

public sealed record UiResult(object Output, bool Final);

/// <summary>Progress figures: transient, so the client hands them to <c>onData</c> and keeps none in the message.</summary>
public sealed record UiDataProgress([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object Data) : UiPart(UiPartTypes.DataProgress)
{
    public bool Transient => true;
}

public sealed record UiError(string ErrorText) : UiPart(UiPartTypes.Error);

/// <summary>
/// How the run ended, merged into the message's metadata: <c>finish</c>'s, or <c>message-metadata</c>'s before
/// <c>abort</c>; or, for a response that ends while the run waits for approvals, just the status <c>waiting</c>.
/// </summary>
public sealed record UiEndMetadata(string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Agents.UsageReport? Usage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ElapsedMs);

public sealed record UiMessageMetadata([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] UiEndMetadata MessageMetadata)
    : UiPart(UiPartTypes.MessageMetadata);

public sealed record UiFinish(UiEndMetadata MessageMetadata) : UiPart(UiPartTypes.Finish);

public sealed record UiAbort() : UiPart(UiPartTypes.Abort)
{
    public static readonly UiAbort Instance = new();
}
