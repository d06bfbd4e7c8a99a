using System.Text.Json.Serialization;

namespace StreamingApi.Runs;

/// <summary>One tool call in a <see cref="RunSnapshot"/>: its <c>tool-call</c> and, once it returned, its <c>tool-result</c>.</summary>
/// <param name="Result">What the tool returned (null while it runs, or when it failed).</param>
/// <param name="Error">Why the tool failed, when it did.</param>
/// <param name="ElapsedMs">How long the tool took; null while it runs.</param>
/// <param name="Approval">The person's decision the call waits for, or waited for; null for a call that needed none.</param>
/// <param name="Client">The tool is the client's: the client runs it and gives its result (left out when false).</param>
public sealed record ToolCallState(string CallId, string Name, IReadOnlyDictionary<string, object?>? Arguments, object? Result, string? Error,
    long? ElapsedMs, ToolCallApproval? Approval = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Client = false);

/// <summary>A tool call's approval in a <see cref="RunSnapshot"/>: asked for until <see cref="ExpiresAt"/>, then decided.</summary>
/// <param name="Approved">Null while it waits for a decision.</param>
public sealed record ToolCallApproval(string ApprovalId, DateTimeOffset ExpiresAt, bool? Approved, string? Reason);
