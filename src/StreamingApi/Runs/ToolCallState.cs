namespace StreamingApi.Runs;

/// <summary>One tool call in a <see cref="RunSnapshot"/>: its <c>tool-call</c> and, once it returned, its <c>tool-result</c>.</summary>
/// <param name="Result">What the tool returned (null while it runs, or when it failed).</param>
/// <param name="Error">Why the tool failed, when it did.</param>
/// <param name="ElapsedMs">How long the tool took; null while it runs.</param>
public sealed record ToolCallState(string CallId, string Name, IReadOnlyDictionary<string, object?>? Arguments, object? Result, string? Error,
    long? ElapsedMs);
