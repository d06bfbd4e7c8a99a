using System.Text.Json.Serialization;

namespace StreamingApi.AgUi;

/// <summary>
/// AG-UI's messages as <c>MESSAGES_SNAPSHOT</c> carries them: a run's messages so far, written the way the events
/// would have built them in the client (<c>role</c> names the kind). Only fields that both supported cores accept;
/// optional ones are left out rather than written as <c>null</c>.
/// </summary>
public sealed record AssistantMessage(string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCall>? ToolCalls)
{
    public string Role => "assistant";
}

/// <summary>A tool call of an assistant message: its arguments as JSON text, as <c>TOOL_CALL_ARGS</c> gives them.</summary>
public sealed record ToolCall(string Id, FunctionCall Function)
{
    public string Type => "function";
}

public sealed record FunctionCall(string Name, string Arguments);

/// <summary>What a tool returned (as JSON text, or its error's text), as <c>TOOL_CALL_RESULT</c> gives it.</summary>
public sealed record ToolMessage(string Id, string ToolCallId, string Content)
{
    public string Role => "tool";
}

/// <summary>The model's reasoning, as the <c>REASONING_MESSAGE_*</c> events build it.</summary>
public sealed record ReasoningMessage(string Id, string Content)
{
    public string Role => "reasoning";
}
