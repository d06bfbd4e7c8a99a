using System.Text.Json.Serialization;

namespace StreamingApi.AgUi;

/// <summary>
/// One AG-UI event, written as one line of JSON with <c>type</c> first. Only fields that both supported cores accept
/// (<c>@ag-ui/core</c> 1.0.0 and 0.0.59, the version CopilotKit's runtime pins): optional fields are left out rather
/// than written as <c>null</c>, no <c>timestamp</c>, tool results as text, and of <c>RUN_FINISHED</c>'s <c>outcome</c> only
/// the interrupt (0.0.59 rejects a <c>cancelled</c> outcome and <c>pendingToolCallIds</c>).
/// </summary>
public abstract record AgUiEvent([property: JsonPropertyOrder(-1)] string Type);

/// <summary>Echoes the client's thread and run ids.</summary>
public sealed record RunStartedEvent(string ThreadId, string RunId) : AgUiEvent(AgUiEventTypes.RunStarted);

/// <summary>The run's end: its result and usage; or, with <see cref="Outcome"/>, the decisions it waits for.</summary>
public sealed record RunFinishedEvent(string ThreadId, string RunId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<AgUiUsage>? Usage) : AgUiEvent(AgUiEventTypes.RunFinished)
{
    /// <summary>Sent only as an interrupt: a run that completed has none (the default, success).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AgUiInterruptOutcome? Outcome { get; init; }
}

/// <summary><c>RUN_FINISHED.outcome</c> when the run waits for people's decisions: one interrupt per decision, at least one.</summary>
public sealed record AgUiInterruptOutcome(IReadOnlyList<AgUiInterrupt> Interrupts)
{
    [JsonPropertyOrder(-1)]
    public string Type => "interrupt";
}

/// <summary>
/// A tool call that waits for approval, as an AG-UI interrupt: its id is the approval's, which the next run's
/// <c>resume</c> answers with a payload that fits <see cref="ResponseSchema"/>.
/// </summary>
/// <param name="ExpiresAt">When the call is denied if nobody decided (ISO 8601, UTC): after it, only <c>cancelled</c> answers.</param>
public sealed record AgUiInterrupt(string Id, string ToolCallId, string Message, string ExpiresAt)
{
    /// <summary>What the interrupt is for: our value (the spec leaves it open).</summary>
    public const string ToolCallReason = "tool_call";

    [JsonPropertyOrder(1)]
    public string Reason => ToolCallReason;

    /// <summary>The payload a <c>resolved</c> answer carries.</summary>
    [JsonPropertyOrder(2)]
    public object ResponseSchema => ApprovalSchema;

    private static readonly object ApprovalSchema = new Dictionary<string, object>
    {
        ["type"] = "object",
        ["properties"] = new Dictionary<string, object>
        {
            ["approved"] = new Dictionary<string, object> { ["type"] = "boolean", ["description"] = "true runs the tool call; false refuses it." },
            ["reason"] = new Dictionary<string, object>
            {
                ["type"] = "string", ["maxLength"] = 500, ["description"] = "Why, in a few words; given to the model with a denial.",
            },
        },
        ["required"] = new[] { "approved" },
        ["additionalProperties"] = false,
    };
}

public sealed record RunErrorEvent(string Message, string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<AgUiUsage>? Usage) : AgUiEvent(AgUiEventTypes.RunError);

/// <summary>AG-UI's <c>TokenUsage</c>: whole numbers only.</summary>
public sealed record AgUiUsage([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model, long InputTokens, long OutputTokens, long TotalTokens,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ReasoningTokens);

public sealed record TextMessageStartEvent(string MessageId) : AgUiEvent(AgUiEventTypes.TextMessageStart)
{
    public string Role => "assistant";
}

public sealed record TextMessageContentEvent(string MessageId, string Delta) : AgUiEvent(AgUiEventTypes.TextMessageContent);

public sealed record TextMessageEndEvent(string MessageId) : AgUiEvent(AgUiEventTypes.TextMessageEnd);

public sealed record ReasoningStartEvent(string MessageId) : AgUiEvent(AgUiEventTypes.ReasoningStart);

public sealed record ReasoningMessageStartEvent(string MessageId) : AgUiEvent(AgUiEventTypes.ReasoningMessageStart)
{
    public string Role => "reasoning";
}

public sealed record ReasoningMessageContentEvent(string MessageId, string Delta) : AgUiEvent(AgUiEventTypes.ReasoningMessageContent);

public sealed record ReasoningMessageEndEvent(string MessageId) : AgUiEvent(AgUiEventTypes.ReasoningMessageEnd);

public sealed record ReasoningEndEvent(string MessageId) : AgUiEvent(AgUiEventTypes.ReasoningEnd);

/// <summary>A tool call, under the assistant message of its model turn (<c>parentMessageId</c>).</summary>
public sealed record ToolCallStartEvent(string ToolCallId, string ToolCallName, string ParentMessageId) : AgUiEvent(AgUiEventTypes.ToolCallStart);

/// <summary>The call's arguments as JSON text, whole.</summary>
public sealed record ToolCallArgsEvent(string ToolCallId, string Delta) : AgUiEvent(AgUiEventTypes.ToolCallArgs);

public sealed record ToolCallEndEvent(string ToolCallId) : AgUiEvent(AgUiEventTypes.ToolCallEnd);

/// <summary>The tool's result as JSON text, or its error's text when it failed; a tool message of its own.</summary>
public sealed record ToolCallResultEvent(string MessageId, string ToolCallId, string Content) : AgUiEvent(AgUiEventTypes.ToolCallResult)
{
    public string Role => "tool";
}

/// <summary>The agent's state: <c>{result, final}</c>, the structured result as it grows.</summary>
public sealed record StateSnapshotEvent([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] AgUiState Snapshot)
    : AgUiEvent(AgUiEventTypes.StateSnapshot);

public sealed record AgUiState(object Result, bool Final);

/// <summary>
/// The conversation as the client is to have it: its messages (the ones it sent, echoed as they came) and the run's so
/// far (<see cref="AssistantMessage"/>, <see cref="ToolMessage"/>, <see cref="ReasoningMessage"/>). The client replaces
/// its messages with these.
/// </summary>
public sealed record MessagesSnapshotEvent(IReadOnlyList<object> Messages) : AgUiEvent(AgUiEventTypes.MessagesSnapshot);

/// <summary>An event of ours that AG-UI has no type for (progress figures), by name.</summary>
public sealed record CustomEvent(string Name, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object Value)
    : AgUiEvent(AgUiEventTypes.Custom);
