using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace StreamingApi.Agents;

/// <summary>
/// One thing that happened during an agent run. These are our own records, independent of
/// Semantic Kernel and of HTTP; <see cref="Streaming.RunEventStream"/> is the one place that turns them into SSE
/// frames (our protocol's, or another protocol's through an <see cref="Streaming.IRunEventMapping"/>).
/// </summary>
public abstract record AgentEvent
{
    /// <summary>The SSE <c>event:</c> name of this record (each record names its own, so an event carries no field for it).</summary>
    [JsonIgnore]
    public abstract string EventType { get; }
}

/// <summary>Always the first event of a run.</summary>
public sealed record RunStarted(string RunId, string Agent, string Model, DateTimeOffset StartedAt) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Run;

    /// <summary>The id of the run's trace, when it is traced (OpenTelemetry); left out when it is not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }
}

/// <summary>A piece of the model's text answer.</summary>
public sealed record TextDelta(string Delta) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Text;
}

/// <summary>A piece of the model's reasoning (its thinking, as the provider shows it), never part of the answer's text.</summary>
public sealed record ReasoningDelta(string Delta) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Reasoning;
}

/// <summary>The model asked for a tool, which runs next (unless the run's tool limits refuse it: see its <see cref="ToolCallCompleted"/>).</summary>
public sealed record ToolCallStarted(string CallId, string Name, IReadOnlyDictionary<string, object?> Arguments) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.ToolCall;

    /// <summary>
    /// The tool is the client's (<see cref="ClientTool"/>): the client runs it, and the run waits for its result. Left
    /// out for the agent's own tools.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Client { get; init; }
}

/// <summary>
/// A tool returned (or failed or was not run, in which case <see cref="Error"/> says so and <see cref="Result"/> is null).
/// The results of one model turn's calls come together, in the order of the calls; <see cref="ElapsedMs"/> is the tool's own time.
/// </summary>
public sealed record ToolCallCompleted(string CallId, string Name, object? Result, long ElapsedMs) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.ToolResult;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>The result is the client's, of its own tool (see <see cref="ToolCallStarted.Client"/>). Left out otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Client { get; init; }
}

/// <summary>
/// A tool call (announced by its <see cref="ToolCallStarted"/> just before) needs a person's decision before it runs:
/// <c>POST /runs/{runId}/approvals/{approvalId}</c> gives it. Until every such request of the model's turn is decided,
/// or <see cref="ExpiresAt"/> passes (a denial, reason <c>timeout</c>), the run waits.
/// </summary>
public sealed record ApprovalRequested(string ApprovalId, string CallId, string Name, IReadOnlyDictionary<string, object?> Arguments,
    DateTimeOffset ExpiresAt) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.ApprovalRequest;

}

/// <summary>
/// The decision on an <see cref="ApprovalRequested"/>, as the run goes on: an approved call runs (its <c>tool-result</c>
/// follows), a denied one does not (its <c>tool-result</c> has <c>error</c> <c>denied</c>). <see cref="Reason"/> is the
/// decider's, or <c>timeout</c> when no decision came in time.
/// </summary>
public sealed record ApprovalDecided(string ApprovalId, bool Approved, string? Reason) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Approval;
}

/// <summary>
/// Not an event of the stream: the agent stops here until its approval requests are decided. The run host keeps the
/// checkpoint in the run store and ends the run's task; the run goes on from it later, perhaps on another instance.
/// </summary>
public sealed record RunPaused(AgentCheckpoint Checkpoint) : AgentEvent
{
    /// <summary>Never written: the run host takes this event out of the stream.</summary>
    [JsonIgnore] public override string EventType => "pause";
}

/// <summary>The structured result as far as it has been generated.</summary>
public sealed record PartialOutput(JsonNode Output) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Partial;
}

/// <summary>The final structured result, validated.</summary>
public sealed record FinalOutput(object Output) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Result;
}

/// <summary>Figures about the text streamed so far.</summary>
public sealed record ProgressReport(int Chunks, long Chars, long ElapsedMs, double CharsPerSecond) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Progress;
}

/// <summary>A failure after the stream started, with the fields of RFC 9457 problem details.</summary>
public sealed record RunError(string Type, string Title, int Status, string Detail) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Error;
}

/// <summary>Token counts reported by the model.</summary>
public sealed record UsageReport(long InputTokens, long OutputTokens, long TotalTokens)
{
    /// <summary>The part of <see cref="OutputTokens"/> the model spent thinking; left out where the provider reports none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ReasoningTokens { get; init; }
}

/// <summary>Always the last event of a run.</summary>
public sealed record RunDone(string Status, string? Reason, int Chunks, long Chars, long ElapsedMs, UsageReport? Usage) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Done;
}
