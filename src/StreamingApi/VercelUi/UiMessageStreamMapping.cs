using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.VercelUi;

/// <summary>
/// Our run events as the Vercel AI SDK's UI message stream (protocol v1), for one response: the assistant message
/// that <c>useChat</c> builds. One run is one message, whose id is the run's id.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>run</c> → <c>start</c> {messageId: run id, messageMetadata: {agent, model}}, then <c>start-step</c>. A
/// stream that begins after the run's first event still begins with <c>start</c>.</item>
/// <item><c>snapshot</c> (first, when a reader's position is no longer held) → <c>start</c> with the snapshot's run,
/// then the message's parts so far (<see cref="Render"/>); the events after it go on from there.</item>
/// <item><c>reasoning</c> → <c>reasoning-start</c>/<c>-delta</c>/<c>-end</c>; <c>text</c> → <c>text-start</c>/<c>-delta</c>/<c>-end</c>.
/// Each stretch is one part with its own id; an open part is closed before anything else but a transient data part.</item>
/// <item><c>tool-call</c> → <c>tool-input-available</c>; <c>tool-result</c> → <c>tool-output-available</c>, or
/// <c>tool-output-error</c> when the tool failed; all <c>dynamic</c>.</item>
/// <item><c>approval-request</c> → <c>tool-approval-request</c> {approvalId, toolCallId}; once the run waits, the
/// response ends (<c>finish-step</c>, <c>finish</c> with metadata {status: waiting}, <c>[DONE]</c>): the client answers
/// with its next request, whose response continues the same message (<see cref="UiMessageStreamOptions.ContinuedCalls"/>).
/// <c>approval</c> → nothing: the call's <c>tool-result</c> follows, as <c>tool-output-available</c>, or
/// <c>tool-output-denied</c> when it was denied. A client without approvals (AI SDK 5) gets an <c>error</c> instead of the
/// request, and the response ends there.</item>
/// <item>A <c>tool-call</c> of the client's own tool (<c>client: true</c>) → <c>tool-input-available</c> as any other;
/// when the run waits for its result, the response ends as for approvals. The client's next request gives the result
/// (the part in <c>output-available</c>) and continues the message; that result's <c>tool-result</c> is not told back
/// (<see cref="UiMessageStreamOptions.AnsweredCalls"/>).</item>
/// <item>Steps: the model going on after its tools' results (reasoning, text or the structured result after a
/// <c>tool-result</c>) ends the step and starts the next: <c>finish-step</c>, <c>start-step</c>.</item>
/// <item><c>partial</c> and <c>result</c> → one <c>data-result</c> part (id <c>result</c>) replaced in place, with
/// <c>final</c> false, then true.</item>
/// <item><c>progress</c> → a transient <c>data-progress</c>.</item>
/// <item><c>error</c> → <c>error</c> {errorText: "title: detail"}.</item>
/// <item><c>done</c> → <c>finish-step</c>, then <c>finish</c> with {status, reason, usage, elapsedMs} as message
/// metadata; a cancelled run gives that metadata in <c>message-metadata</c> and ends with <c>abort</c>.</item>
/// <item>After the last event, the line <c>[DONE]</c>.</item>
/// </list>
/// </remarks>
public sealed class UiMessageStreamMapping(string runId, UiMessageStreamOptions? options = null) : IRunEventMapping, IClientWaitMapping
{
    private readonly UiMessageStreamOptions _options = options ?? UiMessageStreamOptions.Default;
    private readonly HashSet<string> _announcedCalls = [.. (options ?? UiMessageStreamOptions.Default).ContinuedCalls];
    private readonly HashSet<string> _askedCalls = [.. (options ?? UiMessageStreamOptions.Default).ContinuedCalls];
    private bool _skipping = options?.SkipToDecisions ?? false;
    private int _undecided;
    private readonly HashSet<string> _clientCalls = new(StringComparer.Ordinal); // the client's tools' calls without a result yet
    private bool _started;
    private bool _stepOpen;
    private bool _toolResultsInStep;
    private bool _ended;
    private string? _text;
    private string? _reasoning;
    private int _partCount;

    /// <summary>
    /// The run waits for decisions on approval requests this response sent, or for the results of the client's tools'
    /// calls it told (and the response has not ended).
    /// </summary>
    public bool AwaitsClient => (_undecided > 0 || _clientCalls.Count > 0) && !_ended;

    public bool HasEnded => _ended;

    /// <summary>The run asked for an approval that this response's client cannot give (AI SDK 5): the response ended with an error.</summary>
    public bool RefusedApproval { get; private set; }

    public void Map(RunEvent entry, ICollection<object> parts)
    {
        if (_ended) return;
        var @event = entry.ToEvent();
        if (_skipping)
        {
            // The client has the message up to the decisions: what came before them is left out.
            if (@event is RunSnapshot earlier)
            {
                _skipping = false;
                _started = true;
                parts.Add(new UiStart(runId, null));
                Continue(earlier, parts);
                return;
            }
            if (@event is not (ApprovalDecided or ToolCallCompleted { Client: true })) return;
            _skipping = false;
        }
        var first = !_started;
        if (first)
        {
            _started = true;
            var run = @event switch { RunStarted started => started, RunSnapshot snapshot => snapshot.Run, _ => null };
            parts.Add(new UiStart(runId, run is null ? null : new UiStartMetadata(run.Agent, run.Model)));
        }

        switch (@event)
        {
            case RunSnapshot snapshot when first: // only as a first event: the stream gives a later one as its events (RunCatchUp)
                Render(snapshot, parts);
                break;
            case ReasoningDelta reasoning:
                Reason(reasoning.Delta, parts);
                break;
            case TextDelta text:
                Write(text.Delta, parts);
                break;
            case ToolCallStarted call:
                Call(call.CallId, call.Name, call.Arguments, parts);
                if (call.Client) _clientCalls.Add(call.CallId);
                break;
            case ToolCallCompleted { Client: true } result when _options.AnsweredCalls.Contains(result.CallId):
                // The client's own result, which its message has: the model's answer after it begins a new step.
                CloseOpen(parts);
                _clientCalls.Remove(result.CallId);
                break;
            case ApprovalRequested request:
                Ask(request.ApprovalId, request.CallId, request.Name, parts);
                break;
            case ApprovalDecided:
                if (_undecided > 0) _undecided--; // the run goes on: the call's result follows
                break;
            case ToolCallCompleted result:
                if (result.Client) _clientCalls.Remove(result.CallId);
                Return(result.CallId, result.Name, result.Result, result.Error, parts);
                break;
            case PartialOutput partial:
                Result(new UiResult(partial.Output, Final: false), parts);
                break;
            case FinalOutput final:
                Result(new UiResult(final.Output, Final: true), parts);
                break;
            case ProgressReport progress:
                parts.Add(new UiDataProgress(progress));
                break;
            case RunError error:
                CloseOpen(parts);
                parts.Add(new UiError($"{error.Title}: {error.Detail}"));
                break;
            case RunDone done:
                CloseOpen(parts);
                if (_stepOpen) parts.Add(UiFinishStep.Instance);
                var metadata = new UiEndMetadata(done.Status, done.Reason, done.Usage, done.ElapsedMs);
                if (done.Status == RunStatus.Cancelled)
                {
                    parts.Add(new UiMessageMetadata(metadata));
                    parts.Add(UiAbort.Instance);
                }
                else
                {
                    parts.Add(new UiFinish(metadata));
                }
                _ended = true;
                break;
        }
    }

    public void End(ICollection<object> parts)
    {
        if (AwaitsClient)
        {
            // The run waits for the client's decisions: this response's part of the message ends here.
            CloseOpen(parts);
            if (_stepOpen) parts.Add(UiFinishStep.Instance);
            parts.Add(new UiFinish(new UiEndMetadata(RunStatus.Waiting, null, null, null)));
            _ended = true;
        }
        parts.Add(UiPartTypes.Done);
    }

    /// <summary>
    /// The run so far as the parts of its message, in the order the run makes them: its reasoning, each tool call with
    /// its result once it returned, its text, its structured result; each as one part, through the same rules as the
    /// events (so the tools' results end a step when the text follows them). The last reasoning or text part is left
    /// open: the events after the snapshot continue it, as they would have continued the part they belong to.
    /// </summary>
    private void Render(RunSnapshot snapshot, ICollection<object> parts)
    {
        if (snapshot.Reasoning.Length > 0) Reason(snapshot.Reasoning, parts);
        foreach (var call in snapshot.ToolCalls)
        {
            Call(call.CallId, call.Name, call.Arguments, parts);
            if (call is { Client: true, ElapsedMs: null }) _clientCalls.Add(call.CallId);
            if (call.Approval is { } approval)
            {
                if (approval.Approved is null) Ask(approval.ApprovalId, call.CallId, call.Name, parts);
                else if (_options.Approvals) Asked(approval.ApprovalId, call.CallId, parts);
                if (_ended) return; // a client without approvals: the response ends
            }
            if (call.ElapsedMs is not null) Return(call.CallId, call.Name, call.Result, call.Error, parts); // it returned
        }
        if (snapshot.Text.Length > 0) Write(snapshot.Text, parts);
        if (snapshot.Result is { } result) Result(new UiResult(result, Final: true), parts);
        else if (snapshot.Partial is { } partial) Result(new UiResult(partial, Final: false), parts);
    }

    /// <summary>
    /// A continuation that reads the run from its snapshot (its events up to the decisions no longer held, the run having
    /// gone on before this request): the results of the calls the client decided on, the calls after them, then the
    /// answer's text and result so far. The snapshot does not tell text written before the approvals from text after
    /// them: an answer with text before its tool calls gets it again in this part of the message.
    /// </summary>
    private void Continue(RunSnapshot snapshot, ICollection<object> parts)
    {
        var after = false;
        foreach (var call in snapshot.ToolCalls)
        {
            var decided = _options.ContinuedCalls.Contains(call.CallId);
            after |= decided;
            if (!after) continue; // the client has it
            if (!decided) Call(call.CallId, call.Name, call.Arguments, parts);
            if (call.ElapsedMs is not null) Return(call.CallId, call.Name, call.Result, call.Error, parts);
        }
        if (snapshot.Text.Length > 0) Write(snapshot.Text, parts);
        if (snapshot.Result is { } result) Result(new UiResult(result, Final: true), parts);
        else if (snapshot.Partial is { } partial) Result(new UiResult(partial, Final: false), parts);
    }

    private void Reason(string delta, ICollection<object> parts)
    {
        CloseText(parts);
        Step(parts);
        if (_reasoning is null)
        {
            _reasoning = $"reasoning-{++_partCount}";
            parts.Add(new UiReasoningStart(_reasoning));
        }
        parts.Add(new UiReasoningDelta(_reasoning, delta));
    }

    private void Write(string delta, ICollection<object> parts)
    {
        CloseReasoning(parts);
        Step(parts);
        if (_text is null)
        {
            _text = $"text-{++_partCount}";
            parts.Add(new UiTextStart(_text));
        }
        parts.Add(new UiTextDelta(_text, delta));
    }

    private void Call(string callId, string name, object? arguments, ICollection<object> parts)
    {
        CloseOpen(parts);
        Step(parts, goesOn: false);
        Announce(callId, name, arguments, parts);
    }

    /// <summary>
    /// A call waits for approval: its request (the call announced first, as the client needs its part), or, for a
    /// client without approvals, an error that ends the response.
    /// </summary>
    private void Ask(string approvalId, string callId, string name, ICollection<object> parts)
    {
        CloseOpen(parts);
        if (!_options.Approvals)
        {
            parts.Add(new UiError($"Tool '{name}' requires approval, which this client (AI SDK 5) does not support."));
            RefusedApproval = true;
            _ended = true;
            return;
        }
        Step(parts, goesOn: false);
        if (!_announcedCalls.Contains(callId)) Announce(callId, name, null, parts);
        Asked(approvalId, callId, parts);
        _undecided++;
    }

    private void Asked(string approvalId, string callId, ICollection<object> parts)
    {
        _askedCalls.Add(callId);
        parts.Add(new UiToolApprovalRequest(approvalId, callId));
    }

    private void Return(string callId, string name, object? result, string? error, ICollection<object> parts)
    {
        CloseOpen(parts);
        // The result of a call the client has from the response before continues that response's step: no new one.
        if (_stepOpen || !_options.ContinuedCalls.Contains(callId)) Step(parts, goesOn: false);
        // A stream that began after the call (its start no longer held) announces it, without its arguments.
        if (!_announcedCalls.Contains(callId)) Announce(callId, name, null, parts);
        parts.Add(error switch
        {
            null => new UiToolOutputAvailable(callId, result),
            ToolEvents.Denied when _options.Approvals && _askedCalls.Contains(callId) => new UiToolOutputDenied(callId),
            _ => new UiToolOutputError(callId, error),
        });
        _toolResultsInStep = true;
    }

    private void Result(UiResult result, ICollection<object> parts)
    {
        CloseOpen(parts);
        Step(parts);
        parts.Add(new UiDataResult(result));
    }

    private void Announce(string callId, string name, object? arguments, ICollection<object> parts)
    {
        _announcedCalls.Add(callId);
        parts.Add(new UiToolInputAvailable(callId, name, arguments));
    }

    /// <summary>
    /// Opens the first step; with <paramref name="goesOn"/> (the model's own output), a step whose tools have
    /// returned ends and the next begins.
    /// </summary>
    private void Step(ICollection<object> parts, bool goesOn = true)
    {
        if (!_stepOpen)
        {
            _stepOpen = true;
            parts.Add(UiStartStep.Instance);
        }
        else if (goesOn && _toolResultsInStep)
        {
            parts.Add(UiFinishStep.Instance);
            parts.Add(UiStartStep.Instance);
        }
        if (goesOn) _toolResultsInStep = false;
    }

    private void CloseOpen(ICollection<object> parts)
    {
        CloseText(parts);
        CloseReasoning(parts);
    }

    private void CloseText(ICollection<object> parts)
    {
        if (_text is null) return;
        parts.Add(new UiTextEnd(_text));
        _text = null;
    }

    private void CloseReasoning(ICollection<object> parts)
    {
        if (_reasoning is null) return;
        parts.Add(new UiReasoningEnd(_reasoning));
        _reasoning = null;
    }
}
