using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// A run's answer so far, consolidated from its events up to <see cref="Sequence"/>: the <c>snapshot</c> event of a
/// reader whose position is no longer held, and the <c>output</c> of <c>GET /runs/{runId}</c>. Applying it replaces
/// what a client had; applying the events after it gives exactly what a reader that saw every event has. Its size
/// grows with the answer (its text, its tool calls), not with the number of events.
/// </summary>
/// <param name="Sequence">The last event it reflects.</param>
/// <param name="Run">The run's first event: its id, agent, model and start (null only before it was written).</param>
/// <param name="Status"><c>running</c> until the run's <c>done</c>, then that event's status.</param>
/// <param name="Text">The <c>text</c> deltas so far, concatenated.</param>
/// <param name="Reasoning">The <c>reasoning</c> deltas so far, concatenated.</param>
/// <param name="ToolCalls">Every tool call so far, in the order of their <c>tool-call</c> events, with its result once it returned.</param>
/// <param name="Partial">The latest <c>partial</c> structured result.</param>
/// <param name="Result">The final structured result, once there is one.</param>
/// <param name="Progress">The latest <c>progress</c> figures.</param>
/// <param name="Usage">The token counts of the run's <c>done</c>.</param>
/// <param name="Reason">The reason of the run's <c>done</c>.</param>
/// <param name="Error">The run's <c>error</c>, when it failed.</param>
public sealed record RunSnapshot(
    long Sequence,
    RunStarted? Run,
    string Status,
    string Text,
    string Reasoning,
    IReadOnlyList<ToolCallState> ToolCalls,
    JsonNode? Partial,
    object? Result,
    ProgressReport? Progress,
    UsageReport? Usage,
    string? Reason,
    RunError? Error) : AgentEvent
{
    [JsonIgnore] public override string EventType => AgentEventTypes.Snapshot;
}
