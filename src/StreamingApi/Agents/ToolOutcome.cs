namespace StreamingApi.Agents;

/// <summary>
/// What became of one tool call, as <see cref="ToolCallFilter"/> saw it: how long the tool ran (0 when it never ran),
/// and the <c>error</c> of its <c>tool-result</c> event, or null when the tool returned.
/// </summary>
internal readonly record struct ToolOutcome(long ElapsedMs, string? Error);
