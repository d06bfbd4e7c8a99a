using System.Text.Json.Nodes;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// Folds a run's events, in order, into its <see cref="RunSnapshot"/>. It keeps the answer, not the events: the text
/// and the reasoning as they grow, each tool call once, the latest partial result and progress. A store keeps one per
/// run as events are written; a reader that starts from a stored snapshot folds the events after it the same way.
/// Not thread-safe: its owner orders the calls.
/// </summary>
public sealed class RunSnapshotBuilder
{
    private readonly GrowingText _text;
    private GrowingText? _reasoning; // made at the first reasoning: most runs' models do not show their thinking
    private List<ToolCallState>? _toolCalls; // made at the first tool call: most runs have none
    private RunStarted? _run;
    private string _status = RunStatus.Running;
    private JsonNode? _partial;
    private object? _result;
    private ProgressReport? _progress;
    private UsageReport? _usage;
    private string? _reason;
    private RunError? _error;

    public RunSnapshotBuilder()
    {
        _text = new GrowingText();
    }

    /// <summary>Goes on from a snapshot: the events after its sequence are applied to it.</summary>
    public RunSnapshotBuilder(RunSnapshot from)
    {
        Sequence = from.Sequence;
        _run = from.Run;
        _status = from.Status;
        _text = new GrowingText(from.Text);
        if (from.Reasoning.Length > 0) _reasoning = new GrowingText(from.Reasoning);
        if (from.ToolCalls.Count > 0) _toolCalls = [.. from.ToolCalls];
        _partial = from.Partial;
        _result = from.Result;
        _progress = from.Progress;
        _usage = from.Usage;
        _reason = from.Reason;
        _error = from.Error;
    }

    /// <summary>The last event applied (0 before any).</summary>
    public long Sequence { get; private set; }

    public void Apply(RunEvent entry) => Apply(entry.Sequence, entry.ToEvent());

    public void Apply(long sequence, AgentEvent @event)
    {
        if (sequence <= Sequence) return; // already in: a reader may go on from a snapshot that overlaps what it reads
        Sequence = sequence;
        switch (@event)
        {
            case TextDelta text:
                _text.Append(text.Delta);
                break;
            case ReasoningDelta reasoning:
                (_reasoning ??= new GrowingText()).Append(reasoning.Delta);
                break;
            case ToolCallStarted or ToolCallCompleted or ApprovalRequested or ApprovalDecided:
                ApplyToolCall(_toolCalls ??= [], @event);
                break;
            case PartialOutput partial:
                _partial = partial.Output;
                break;
            case FinalOutput final:
                _result = final.Output;
                break;
            case ProgressReport progress:
                _progress = progress;
                break;
            case RunError error:
                _error = error;
                break;
            case RunDone done:
                _status = done.Status;
                _reason = done.Reason;
                _usage = done.Usage;
                break;
            case RunStarted started:
                _run = started;
                break;
            case RunSnapshot snapshot:
                throw new InvalidOperationException($"A snapshot ({snapshot.Sequence}) is not applied to a snapshot; start a builder from it instead.");
        }
    }

    /// <summary>
    /// Adds a tool call as it starts, or its result to it as it returns (a result whose call is not there adds the
    /// call). The one rule for tool calls, shared with a store that keeps them apart from the rest (Redis).
    /// </summary>
    internal static void ApplyToolCall(List<ToolCallState> calls, AgentEvent @event)
    {
        switch (@event)
        {
            case ToolCallStarted call:
                calls.Add(new ToolCallState(call.CallId, call.Name, call.Arguments, null, null, null, Client: call.Client));
                break;
            case ApprovalRequested asked when calls.FindLastIndex(c => c.CallId == asked.CallId) is var at and >= 0:
                calls[at] = calls[at] with { Approval = new ToolCallApproval(asked.ApprovalId, asked.ExpiresAt, null, null) };
                break;
            case ApprovalDecided decided when calls.FindLastIndex(c => c.Approval?.ApprovalId == decided.ApprovalId) is var at and >= 0:
                calls[at] = calls[at] with { Approval = calls[at].Approval! with { Approved = decided.Approved, Reason = decided.Reason } };
                break;
            case ToolCallCompleted completed:
                var index = calls.FindLastIndex(c => c.CallId == completed.CallId);
                var state = index >= 0 ? calls[index] : new ToolCallState(completed.CallId, completed.Name, null, null, null, null, Client: completed.Client);
                state = state with { Result = completed.Result, Error = completed.Error, ElapsedMs = completed.ElapsedMs };
                if (index >= 0) calls[index] = state;
                else calls.Add(state);
                break;
        }
    }

    /// <summary>
    /// A running run with an approval still undecided is <see cref="RunStatus.Waiting"/>: so a client that comes back
    /// (to <c>GET /runs/{runId}</c>, or from a snapshot) sees what it is asked.
    /// </summary>
    public static string StatusOf(string status, IReadOnlyList<ToolCallState> calls) =>
        status == RunStatus.Running && calls.Any(c => c.Approval is { Approved: null } || c is { Client: true, ElapsedMs: null }) ? RunStatus.Waiting : status;

    public RunSnapshot Build() =>
        new(Sequence, _run, StatusOf(_status, _toolCalls ?? []), _text.ToString(), _reasoning?.ToString() ?? "", [.. _toolCalls ?? []], _partial, _result,
            _progress, _usage, _reason, _error);
}
