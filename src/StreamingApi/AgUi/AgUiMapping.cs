using System.Globalization;
using System.Text.Json;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.AgUi;

/// <summary>
/// Our run events as AG-UI events, for one response to a <c>RunAgentInput</c>: the run under the client's thread and
/// run ids. The event order is the one AG-UI clients verify: <c>RUN_STARTED</c> first, every message and tool call
/// closed before <c>RUN_FINISHED</c>, nothing after <c>RUN_FINISHED</c> or <c>RUN_ERROR</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>run</c> → <c>RUN_STARTED</c> {threadId, runId} as the client sent them.</item>
/// <item><c>reasoning</c> → <c>REASONING_START</c>, <c>REASONING_MESSAGE_START</c>, <c>REASONING_MESSAGE_CONTENT</c>…,
/// <c>REASONING_MESSAGE_END</c>, <c>REASONING_END</c>: one reasoning message per stretch.</item>
/// <item><c>text</c> → <c>TEXT_MESSAGE_START</c> (role assistant), <c>TEXT_MESSAGE_CONTENT</c>…, <c>TEXT_MESSAGE_END</c>.</item>
/// <item><c>tool-call</c> → <c>TOOL_CALL_START</c> (parentMessageId: the model turn's assistant message),
/// <c>TOOL_CALL_ARGS</c> (the arguments as JSON text), <c>TOOL_CALL_END</c>; <c>tool-result</c> →
/// <c>TOOL_CALL_RESULT</c> (the result as JSON text, or the tool's error).</item>
/// <item><c>partial</c> and <c>result</c> → <c>STATE_SNAPSHOT</c> {result, final}; the final result is also
/// <c>RUN_FINISHED.result</c>.</item>
/// <item><c>progress</c> → <c>CUSTOM</c> {name: "progress", value}.</item>
/// <item><c>done</c> completed → <c>RUN_FINISHED</c> {threadId, runId, result?, usage?}; failed → <c>RUN_ERROR</c>
/// {message: the error's "title: detail", code: its type}; cancelled → <c>RUN_ERROR</c> {code: "cancelled"}.</item>
/// <item><c>approval-request</c> → an interrupt {id: the approval's id, reason: "tool_call", toolCallId, message,
/// responseSchema, expiresAt}, told when the response ends while the run waits (<see cref="AwaitsClient"/>,
/// <see cref="End"/>): <c>RUN_FINISHED</c> {outcome: {type: "interrupt", interrupts}}. An <c>approval</c> in the same
/// response (decided elsewhere meanwhile) takes its interrupt back; otherwise it is not shown.</item>
/// <item>A <c>tool-call</c> of the client's own tool (<c>client: true</c>) → <c>TOOL_CALL_*</c> as any other; when the run
/// waits for its result, the response ends with <c>RUN_FINISHED</c> (no outcome): the client runs the tool and gives its
/// result as a tool message in its next input. That result's <c>tool-result</c> is not told back to it.</item>
/// </list>
/// A model turn's text and tool calls share one assistant message id, <c>{run id}-m{turn}</c>; the model going on
/// after its tools' results begins the next turn. Ids the mapping makes start with our run's id, so they never meet
/// those of another run on the same thread.
/// <para>
/// A <c>snapshot</c> (a reader's first event, when it starts from the run so far) → <c>MESSAGES_SNAPSHOT</c>: the
/// client's <paramref name="conversation"/> without any message of this run, then the run's messages so far
/// (<see cref="Render"/>), and <c>STATE_SNAPSHOT</c> when there is a result. The client replaces its messages with
/// these, so a copy of the run it kept is not doubled. The events after it go on in the snapshot's messages: a
/// <c>TEXT_MESSAGE_START</c> (or <c>REASONING_MESSAGE_START</c>) with the id of a message the client already has
/// reopens that message, and the content after it is appended to it (the client's verifier asks for a start before
/// any content; its reducer does not add a second message for a known id).
/// </para>
/// </remarks>
/// <param name="conversation">The messages the client sent, echoed in <c>MESSAGES_SNAPSHOT</c>.</param>
public sealed class AgUiMapping(string threadId, string runId, string ourRunId, JsonSerializerOptions json,
    IReadOnlyList<JsonElement>? conversation = null) : IRunEventMapping, IClientWaitMapping
{
    private readonly string _ourRunId = ourRunId;
    private readonly HashSet<string> _announcedCalls = [];
    private readonly List<AgUiInterrupt> _interrupts = [];
    private readonly HashSet<string> _clientCalls = new(StringComparer.Ordinal); // the client's tools' calls without a result yet
    private bool _started;
    private bool _ended;
    private bool _toolResultsInTurn;
    private int _turn = 1;
    private int _reasoningCount;
    private string? _text;
    private string? _reasoning;
    private string? _reopenReasoning; // the snapshot's reasoning message, which reasoning right after it continues
    private string? _model;
    private object? _result;
    private RunError? _error;

    /// <summary>
    /// The first of our ids (<c>{IdPrefix}-m1</c>, …): our run's id, or, for the continuation of a run that waited,
    /// something longer, so that its messages are not those of the response before.
    /// </summary>
    public string IdPrefix { get; init; } = ourRunId;

    /// <summary>
    /// The response goes on with a run that waited for decisions (after its <c>approval-request</c> events): its tool
    /// calls were announced by the response before, so a result comes without its call.
    /// </summary>
    public bool Continues { get; init; }

    /// <summary>The run's model, for the usage, when the response does not start with the run's first event.</summary>
    public string? Model
    {
        get => _model;
        init => _model = value;
    }

    /// <summary>
    /// Whether the run has asked for decisions, or called the client's tools, and this response has not seen them
    /// answered: it ends if the run waits.
    /// </summary>
    public bool AwaitsClient => !_ended && (_interrupts.Count > 0 || _clientCalls.Count > 0);

    public bool HasEnded => _ended;

    public void Map(RunEvent entry, ICollection<object> events)
    {
        if (_ended) return;
        var first = !_started;
        if (first)
        {
            _started = true;
            events.Add(new RunStartedEvent(threadId, runId));
        }

        switch (entry.ToEvent())
        {
            case RunStarted started:
                _model = started.Model;
                break;
            case RunSnapshot snapshot when first: // only as a first event: the stream gives a later one as its events (RunCatchUp)
                _model = snapshot.Run?.Model;
                Render(snapshot, events);
                break;
            case ReasoningDelta reasoning:
                CloseText(events);
                GoOn();
                if (_reasoning is null)
                {
                    _reasoning = _reopenReasoning ?? $"{IdPrefix}-r{++_reasoningCount}";
                    events.Add(new ReasoningStartEvent(_reasoning));
                    events.Add(new ReasoningMessageStartEvent(_reasoning));
                }
                events.Add(new ReasoningMessageContentEvent(_reasoning, reasoning.Delta));
                break;
            case TextDelta { Delta.Length: > 0 } text:
                CloseReasoning(events);
                GoOn();
                if (_text is null)
                {
                    _text = TurnMessageId;
                    events.Add(new TextMessageStartEvent(_text));
                }
                events.Add(new TextMessageContentEvent(_text, text.Delta));
                break;
            case ToolCallStarted call:
                CloseOpen(events);
                Announce(call.CallId, call.Name, JsonSerializer.Serialize(call.Arguments, json), events);
                if (call.Client) _clientCalls.Add(call.CallId);
                break;
            case ToolCallCompleted { Client: true } result:
                // The client's own result: it has it as its tool message.
                CloseOpen(events);
                _clientCalls.Remove(result.CallId);
                _toolResultsInTurn = true;
                break;
            case ToolCallCompleted result:
                CloseOpen(events);
                if (!Continues && !_announcedCalls.Contains(result.CallId)) Announce(result.CallId, result.Name, "{}", events);
                events.Add(new ToolCallResultEvent(ResultMessageId(result.CallId), result.CallId, ResultText(result.Result, result.Error)));
                _toolResultsInTurn = true;
                break;
            case PartialOutput partial:
                CloseOpen(events);
                GoOn();
                events.Add(new StateSnapshotEvent(new AgUiState(partial.Output, Final: false)));
                break;
            case FinalOutput final:
                CloseOpen(events);
                GoOn();
                _result = final.Output;
                events.Add(new StateSnapshotEvent(new AgUiState(final.Output, Final: true)));
                break;
            case ApprovalRequested request:
                CloseOpen(events);
                if (!_announcedCalls.Contains(request.CallId)) Announce(request.CallId, request.Name, JsonSerializer.Serialize(request.Arguments, json), events);
                _interrupts.Add(Interrupt(request.ApprovalId, request.CallId, request.Name, request.Arguments, request.ExpiresAt));
                break;
            case ApprovalDecided decided:
                _interrupts.RemoveAll(i => i.Id == decided.ApprovalId);
                break;
            case ProgressReport progress:
                events.Add(new CustomEvent("progress", progress));
                break;
            case RunError error:
                _error = error; // told with the run's end, which brings the usage
                break;
            case RunDone done:
                CloseOpen(events);
                IReadOnlyList<AgUiUsage>? usage = done.Usage is { } u
                    ? [new AgUiUsage(_model, u.InputTokens, u.OutputTokens, u.TotalTokens, u.ReasoningTokens)]
                    : null;
                events.Add(done.Status switch
                {
                    RunStatus.Completed => new RunFinishedEvent(threadId, runId, _result, usage),
                    RunStatus.Cancelled => new RunErrorEvent($"The run was cancelled ({done.Reason ?? "stopped"}).", "cancelled", usage),
                    _ => new RunErrorEvent(_error is { } e ? $"{e.Title}: {e.Detail}" : $"The run failed ({done.Reason}).",
                        _error?.Type ?? done.Reason ?? "failed", usage),
                });
                _ended = true;
                break;
        }
    }

    /// <summary>
    /// The response ends before the run: when it waits for the decisions this response asked for, <c>RUN_FINISHED</c>
    /// with them as interrupts (the run goes on when the next run's <c>resume</c> decides them); when it waits only for
    /// the results of the client's tools, <c>RUN_FINISHED</c> alone (the next run's tool messages give them).
    /// </summary>
    public void End(ICollection<object> events)
    {
        if (!AwaitsClient) return;
        CloseOpen(events);
        events.Add(_interrupts.Count > 0
            ? new RunFinishedEvent(threadId, runId, null, null) { Outcome = new AgUiInterruptOutcome([.. _interrupts]) }
            : new RunFinishedEvent(threadId, runId, null, null));
        _ended = true;
    }

    private static AgUiInterrupt Interrupt(string approvalId, string callId, string name, IReadOnlyDictionary<string, object?>? arguments,
        DateTimeOffset expiresAt) =>
        new(approvalId, callId, InterruptMessage(name, arguments ?? new Dictionary<string, object?>()),
            expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    /// <summary>What the person is asked about a call of tool <paramref name="name"/>, in a sentence.</summary>
    public static string InterruptMessage(string name, IReadOnlyDictionary<string, object?> arguments)
    {
        string? Argument(string key) => arguments.TryGetValue(key, out var value) && value is not null ? Text(value) : null;
        if (name == "send_report" && Argument("to") is { } to) return $"Send the report to {to}?";
        var listed = string.Join(", ", arguments.Select(a => $"{a.Key}: {(a.Value is null ? "null" : Text(a.Value))}"));
        return listed.Length == 0 ? $"Run {name}?" : $"Run {name} with {listed}?";
    }

    private static string Text(object value) => value switch
    {
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
        _ => JsonSerializer.Serialize(value),
    };

    private string TurnMessageId => $"{IdPrefix}-m{_turn}";

    private string ResultMessageId(string callId) => $"{IdPrefix}-{callId}-result";

    private string ResultText(object? result, string? error) => error ?? JsonSerializer.Serialize(result, json);

    /// <summary>
    /// The run so far as AG-UI messages, laid out as the events lay them out: its reasoning as one reasoning message;
    /// its tool calls in the first turn's assistant message, each followed by its result once it returned; its text in
    /// the turn after the results (the model going on), or in the first turn when no tool has returned. The mapping's
    /// state is left as after those events, so that the events after the snapshot continue the same messages: text
    /// the turn's message, reasoning the reasoning message when nothing came after it, a result its call.
    /// </summary>
    private void Render(RunSnapshot snapshot, ICollection<object> events)
    {
        var messages = new List<object>();
        var ours = $"{_ourRunId}-";
        foreach (var message in conversation ?? [])
        {
            var id = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            if (id is null || !id.StartsWith(ours, StringComparison.Ordinal)) messages.Add(message);
        }

        var hasResult = snapshot.Partial is not null || snapshot.Result is not null;
        if (snapshot.Reasoning.Length > 0)
        {
            var id = $"{IdPrefix}-r{++_reasoningCount}";
            messages.Add(new ReasoningMessage(id, snapshot.Reasoning));
            if (snapshot is { ToolCalls.Count: 0, Text.Length: 0 } && !hasResult) _reopenReasoning = id;
        }
        var calls = snapshot.ToolCalls;
        if (calls.Count > 0)
        {
            _toolResultsInTurn = calls.Any(c => c.ElapsedMs is not null); // null while the tool runs
            var textInTurn = !_toolResultsInTurn && snapshot.Text.Length > 0;
            messages.Add(new AssistantMessage(TurnMessageId, textInTurn ? snapshot.Text : null,
                [.. calls.Select(c => new ToolCall(c.CallId, new FunctionCall(c.Name, c.Arguments is null ? "{}" : JsonSerializer.Serialize(c.Arguments, json))))]));
            foreach (var call in calls)
            {
                _announcedCalls.Add(call.CallId);
                if (call.Approval is { Approved: null } asked) _interrupts.Add(Interrupt(asked.ApprovalId, call.CallId, call.Name, call.Arguments, asked.ExpiresAt));
                if (call is { Client: true, ElapsedMs: null }) _clientCalls.Add(call.CallId);
                // A result of the client's own tool is its own tool message, in the conversation it sent.
                if (call is { ElapsedMs: not null, Client: false }) messages.Add(new ToolMessage(ResultMessageId(call.CallId), call.CallId, ResultText(call.Result, call.Error)));
            }
            if (snapshot.Text.Length > 0 || hasResult) GoOn();
            if (!textInTurn && snapshot.Text.Length > 0) messages.Add(new AssistantMessage(TurnMessageId, snapshot.Text, null));
        }
        else if (snapshot.Text.Length > 0)
        {
            messages.Add(new AssistantMessage(TurnMessageId, snapshot.Text, null));
        }
        events.Add(new MessagesSnapshotEvent(messages));

        _result = snapshot.Result;
        if ((snapshot.Result ?? snapshot.Partial) is { } state) events.Add(new StateSnapshotEvent(new AgUiState(state, Final: snapshot.Result is not null)));
    }

    private void Announce(string callId, string name, string arguments, ICollection<object> events)
    {
        _announcedCalls.Add(callId);
        events.Add(new ToolCallStartEvent(callId, name, TurnMessageId));
        events.Add(new ToolCallArgsEvent(callId, arguments));
        events.Add(new ToolCallEndEvent(callId));
    }

    /// <summary>The model's own output after its tools' results begins its next turn.</summary>
    private void GoOn()
    {
        if (!_toolResultsInTurn) return;
        _toolResultsInTurn = false;
        _turn++;
    }

    private void CloseOpen(ICollection<object> events)
    {
        CloseText(events);
        CloseReasoning(events);
    }

    private void CloseText(ICollection<object> events)
    {
        if (_text is null) return;
        events.Add(new TextMessageEndEvent(_text));
        _text = null;
    }

    private void CloseReasoning(ICollection<object> events)
    {
        _reopenReasoning = null; // anything after the snapshot's reasoning ends it
        if (_reasoning is null) return;
        events.Add(new ReasoningMessageEndEvent(_reasoning));
        events.Add(new ReasoningEndEvent(_reasoning));
        _reasoning = null;
    }
}
