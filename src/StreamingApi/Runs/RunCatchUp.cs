using System.Text.Json.Nodes;
using StreamingApi.Agents;

namespace StreamingApi.Runs;

/// <summary>
/// What a reader has passed on of a run, so that a <see cref="RunSnapshot"/> met after its first event becomes the
/// events it stands for. A reader on another instance that falls further behind a fast run than the run's Redis stream
/// keeps gives the snapshot in place of the events no longer held. Our own protocol sends it as it is (its clients
/// replace what they have with it); the UI message stream and AG-UI have no such message in the middle of a run, so
/// their mappings get these events instead, and their clients lose nothing.
/// </summary>
/// <remarks>
/// The events come in the order a snapshot met first is laid out: the rest of the reasoning; the tool calls, approvals,
/// decisions and results not passed yet; the rest of the text; the latest partial structured result and the final one,
/// when changed; the progress, when changed. A snapshot does not tell how text and tool calls interleaved, so text
/// written between two missed calls comes after them. The run's end is not among them: its <c>error</c> and
/// <c>done</c> follow the snapshot as events of their own.
/// </remarks>
public sealed class RunCatchUp
{
    private int _text;
    private int _reasoning;
    private HashSet<string>? _called;
    private HashSet<string>? _returned;
    private HashSet<string>? _asked; // approval ids
    private HashSet<string>? _decided; // approval ids
    private JsonNode? _partial;
    private bool _final;
    private ProgressReport? _progress;

    /// <summary>Whether any event was passed: a snapshot after that is one a reader gave in place of events it lost.</summary>
    public bool HasPassed { get; private set; }

    /// <summary>An event the reader passed on (a snapshot met first counts as everything in it).</summary>
    public void Passed(AgentEvent @event)
    {
        HasPassed = true;
        switch (@event)
        {
            case TextDelta text:
                _text += text.Delta.Length;
                break;
            case ReasoningDelta reasoning:
                _reasoning += reasoning.Delta.Length;
                break;
            case ToolCallStarted call:
                (_called ??= []).Add(call.CallId);
                break;
            case ToolCallCompleted result:
                (_returned ??= []).Add(result.CallId);
                break;
            case ApprovalRequested asked:
                (_asked ??= []).Add(asked.ApprovalId);
                break;
            case ApprovalDecided decided:
                (_decided ??= []).Add(decided.ApprovalId);
                break;
            case PartialOutput partial:
                _partial = partial.Output;
                break;
            case FinalOutput:
                _final = true;
                break;
            case ProgressReport progress:
                _progress = progress;
                break;
            case RunSnapshot snapshot:
                PassedAll(snapshot);
                break;
        }
    }

    /// <summary>
    /// The events that bring a reader from what it passed to <paramref name="later"/>; they count as passed.
    /// </summary>
    public List<AgentEvent> Missed(RunSnapshot later)
    {
        var missed = new List<AgentEvent>();
        if (later.Reasoning.Length > _reasoning) missed.Add(new ReasoningDelta(later.Reasoning[_reasoning..]));
        foreach (var call in later.ToolCalls)
        {
            // A call refused before it ran has a result and no tool-call event: its state has no arguments.
            if (call.Arguments is { } arguments && _called?.Contains(call.CallId) != true)
                missed.Add(new ToolCallStarted(call.CallId, call.Name, arguments) { Client = call.Client });
            if (call.Approval is { } approval)
            {
                if (_asked?.Contains(approval.ApprovalId) != true)
                    missed.Add(new ApprovalRequested(approval.ApprovalId, call.CallId, call.Name, call.Arguments ?? new Dictionary<string, object?>(),
                        approval.ExpiresAt));
                if (approval.Approved is { } approved && _decided?.Contains(approval.ApprovalId) != true)
                    missed.Add(new ApprovalDecided(approval.ApprovalId, approved, approval.Reason));
            }
            if (call.ElapsedMs is { } elapsed && _returned?.Contains(call.CallId) != true)
                missed.Add(new ToolCallCompleted(call.CallId, call.Name, call.Result, elapsed) { Error = call.Error, Client = call.Client });
        }
        if (later.Text.Length > _text) missed.Add(new TextDelta(later.Text[_text..]));
        if (!_final)
        {
            if (later.Partial is { } partial && !JsonNode.DeepEquals(partial, _partial)) missed.Add(new PartialOutput(partial));
            if (later.Result is { } result) missed.Add(new FinalOutput(result));
        }
        if (later.Progress is { } progress && progress != _progress) missed.Add(progress);
        foreach (var @event in missed) Passed(@event);
        return missed;
    }

    private void PassedAll(RunSnapshot snapshot)
    {
        _text = snapshot.Text.Length;
        _reasoning = snapshot.Reasoning.Length;
        foreach (var call in snapshot.ToolCalls)
        {
            if (call.Arguments is not null) (_called ??= []).Add(call.CallId);
            if (call.ElapsedMs is not null) (_returned ??= []).Add(call.CallId);
            if (call.Approval is not { } approval) continue;
            (_asked ??= []).Add(approval.ApprovalId);
            if (approval.Approved is not null) (_decided ??= []).Add(approval.ApprovalId);
        }
        _partial = snapshot.Partial;
        _final = snapshot.Result is not null;
        _progress = snapshot.Progress;
    }
}
