using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using StreamingApi.Agents;
using StreamingApi.Limits;
using StreamingApi.Streaming;

namespace StreamingApi.AgUi;

/// <summary>
/// AG-UI's <c>RunAgentInput</c>, as <c>HttpAgent</c> (and CopilotKit's runtime through it) posts it. Fields this
/// server has no use for are accepted and ignored, as are fields it does not know (<c>protocolVersion</c>).
/// </summary>
/// <remarks>
/// The conversation goes to the model as text: user messages (a string, or their text parts) and assistant messages'
/// <c>content</c>. Tool calls and tool, reasoning, system and developer messages are left out: a new run calls its
/// own tools again, and an agent's instructions are its own. The client's <c>tools</c> are offered to the model beside
/// the agent's own (<see cref="ClientTool"/>): a call of one ends the response while the run waits for its result, which
/// the next input brings as a trailing <c>tool</c> message (<see cref="ToolResults"/>); <c>state</c> is not used;
/// <c>context</c> goes to the model as information (<see cref="ContextItem"/>). <c>forwardedProps</c> may carry the options <c>/api/chat</c> takes in its
/// body: <c>maxSeconds</c>, <c>every</c> and <c>fail</c>. With <c>resume</c>, the input answers the interrupts of the
/// thread's waiting run instead (<see cref="Decisions()"/>): its messages are not a new request then.
/// </remarks>
[ValidatableType]
public sealed class RunAgentInput : IValidatableObject
{
    private static readonly HashSet<string> Roles = ["developer", "system", "user", "assistant", "tool", "reasoning", "activity"];

    [Description("The conversation's id, echoed in RUN_STARTED and RUN_FINISHED.")]
    public string? ThreadId { get; set; }

    [Description("The client's id for this run, echoed in RUN_STARTED and RUN_FINISHED.")]
    public string? RunId { get; set; }

    public string? ParentRunId { get; set; }

    [Description("The whole conversation, oldest first; it must end with the user's message.")]
    public List<AgUiMessage?>? Messages { get; set; }

    [Description("Tools the client runs itself: [{name, description?, parameters?}], parameters a JSON Schema. They are offered to the model; a " +
                 "call of one ends the response (TOOL_CALL_* then RUN_FINISHED) while the run waits, and the next input's trailing tool messages " +
                 "({role: \"tool\", toolCallId, content}) give the results: the run goes on with them.")]
    public JsonElement? Tools { get; set; }

    [Description("Context the client gives: [{description, value}], both strings; given to the model as information after the agent's instructions.")]
    public JsonElement? Context { get; set; }

    [Description("Answers to the interrupts of the thread's waiting run: [{interruptId, status: resolved|cancelled, payload: {approved, reason?}}]. " +
                 "The run goes on with the decisions, streamed as this run; the messages are then not a new request.")]
    public JsonElement? Resume { get; set; }

    [Description("The client's state; not used (the agent's state is its structured result, sent as STATE_SNAPSHOT).")]
    public JsonElement? State { get; set; }

    [Description("Properties forwarded by the client: maxSeconds (the server ends the run after this many seconds), every (a progress " +
                 "CUSTOM event after every this many text chunks) and fail (the inventory agent's tool fails); anything else is ignored.")]
    public JsonElement? ForwardedProps { get; set; }

    public TimeSpan? TimeLimit => Prop("maxSeconds") is { ValueKind: JsonValueKind.Number } seconds ? TimeSpan.FromSeconds(seconds.GetInt32()) : null;

    public int? Every => Prop("every") is { ValueKind: JsonValueKind.Number } every ? every.GetInt32() : null;

    public bool Fail => Prop("fail") is { ValueKind: JsonValueKind.True };

    /// <summary>Whether the input answers a waiting run's interrupts (a <c>resume</c> with at least one entry).</summary>
    public bool Resumes => Resume is { ValueKind: JsonValueKind.Array } entries && entries.GetArrayLength() > 0;

    /// <summary>
    /// Whether the input goes on with the thread's waiting run rather than asking anew: it answers interrupts, or its
    /// conversation ends with the results of the client's tools (tool messages).
    /// </summary>
    public bool Continues => Resumes || Messages is [.., { Role: "tool" }];

    /// <summary>
    /// The results the input gives of the client's tools: its trailing tool messages, as <c>(toolCallId, content)</c>
    /// (once validated). Empty when the conversation does not end with them.
    /// </summary>
    public IReadOnlyList<(string CallId, string Content)> ToolResults() =>
        Messages is null ? [] : [.. Messages.AsEnumerable().Reverse().TakeWhile(m => m!.Role == "tool").Reverse().Select(m => (m!.ToolCallId!, m.Text()))];

    /// <summary>The tools the client offers (once validated).</summary>
    public IReadOnlyList<ClientTool> ClientTools() => ClientToolList.Read(Tools);

    /// <summary>
    /// The decisions that <c>resume</c> gives (once validated): <c>resolved</c> with its payload's <c>approved</c> and
    /// <c>reason</c>; <c>cancelled</c> a denial, with the payload's reason or <c>cancelled</c>.
    /// </summary>
    public IReadOnlyList<ResumeDecision> Decisions() =>
        Resume is { ValueKind: JsonValueKind.Array } entries
            ? [.. entries.EnumerateArray().Select(e =>
            {
                var payload = e.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.Object ? p : (JsonElement?)null;
                var reason = payload is { } given && given.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                return e.GetProperty("status").GetString() == "cancelled"
                    ? new ResumeDecision(e.GetProperty("interruptId").GetString()!, false, reason ?? "cancelled")
                    : new ResumeDecision(e.GetProperty("interruptId").GetString()!, payload!.Value.GetProperty("approved").GetBoolean(), reason);
            })]
            : [];

    /// <summary>The client's context (once validated).</summary>
    public IReadOnlyList<ContextItem> ContextItems() =>
        Context is { ValueKind: JsonValueKind.Array } items
            ? [.. items.EnumerateArray().Select(i => new ContextItem(i.GetProperty("description").GetString()!, i.GetProperty("value").GetString()!))]
            : [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var limits = validationContext.GetService<IOptions<StreamingOptions>>()?.Value ?? new StreamingOptions();
        var maxMessages = (validationContext.GetService<IOptions<LimitOptions>>()?.Value ?? new LimitOptions()).MaxMessages;
        foreach (var (value, name) in new[] { (ThreadId, nameof(ThreadId)), (RunId, nameof(RunId)) })
        {
            if (string.IsNullOrWhiteSpace(value)) yield return new ValidationResult($"{name} is required.", [name]);
            else if (value.Length > 256) yield return new ValidationResult($"{name} must be at most 256 characters; it has {value.Length}.", [name]);
        }
        foreach (var (name, low, high) in new[] { ("maxSeconds", 1, 3600), ("every", 1, 100_000) })
        {
            if (Prop(name) is not { } value) continue;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < low || number > high)
                yield return new ValidationResult($"forwardedProps.{name} must be a whole number from {low} to {high}.", [nameof(ForwardedProps)]);
        }
        if (Prop("fail") is { ValueKind: not (JsonValueKind.True or JsonValueKind.False) })
            yield return new ValidationResult("forwardedProps.fail must be true or false.", [nameof(ForwardedProps)]);
        foreach (var result in ContextProblems(limits.MaxConversationChars, maxMessages)) yield return result;
        foreach (var problem in ClientToolList.Problems(Tools)) yield return new ValidationResult(problem, [nameof(Tools)]);
        if (Resume is { ValueKind: not JsonValueKind.Null } || Continues)
        {
            var problems = Resume is { ValueKind: not JsonValueKind.Null } ? ResumeProblems(maxMessages).ToList() : [];
            foreach (var problem in problems) yield return new ValidationResult(problem, [nameof(Resume)]);
            if (problems.Count > 0 || Continues)
            {
                // The run goes on from where it waited: the messages are only checked for their form.
                for (var i = 0; i < (Messages?.Count ?? 0) && i < maxMessages; i++)
                {
                    if (Problem(Messages![i]) is { } problem) yield return new ValidationResult(problem, [$"{nameof(Messages)}[{i}]"]);
                }
                yield break;
            }
        }
        foreach (var result in Conversations.CheckMessages(Messages, m => Problem(m) is { } problem ? [problem] : [], Conversation, limits, maxMessages, nameof(Messages)))
            yield return result;
    }

    /// <summary>The conversation as the agent takes it, with the client's context (once validated).</summary>
    public AgentRequest ToAgentRequest() => Conversations.ToRequest(Conversation()) with { Context = ContextItems(), ClientTools = ClientTools() };

    private IEnumerable<ValidationResult> ContextProblems(int maxChars, int maxItems)
    {
        if (Context is not { } context || context.ValueKind == JsonValueKind.Null) yield break;
        if (context.ValueKind != JsonValueKind.Array)
        {
            yield return new ValidationResult("context must be an array of {description, value}.", [nameof(Context)]);
            yield break;
        }
        if (context.GetArrayLength() > maxItems)
        {
            yield return new ValidationResult($"context may have at most {maxItems} entries (Limits:MaxMessages); it has {context.GetArrayLength()}.", [nameof(Context)]);
            yield break;
        }
        long chars = 0;
        var index = 0;
        foreach (var item in context.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("description", out var description) || description.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
            {
                yield return new ValidationResult("A context entry must be an object with a string description and a string value.", [$"{nameof(Context)}[{index}]"]);
                yield break;
            }
            chars += description.GetString()!.Length + value.GetString()!.Length;
            index++;
        }
        if (chars > maxChars)
            yield return new ValidationResult($"The context's text must be at most {maxChars} characters; it has {chars}.", [nameof(Context)]);
    }

    private IEnumerable<string> ResumeProblems(int maxEntries)
    {
        if (Resume is not { ValueKind: JsonValueKind.Array } resume)
        {
            yield return "resume must be an array of {interruptId, status, payload}.";
            yield break;
        }
        if (resume.GetArrayLength() > maxEntries)
        {
            yield return $"resume may have at most {maxEntries} entries; it has {resume.GetArrayLength()}.";
            yield break;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in resume.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object) yield return "A resume entry must be an object {interruptId, status, payload}.";
            else if (!entry.TryGetProperty("interruptId", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 and <= 256 } interruptId)
                yield return "A resume entry's interruptId must be a string of 1 to 256 characters.";
            else if (!ids.Add(interruptId)) yield return $"Interrupt {interruptId} is answered more than once.";
            else if (!entry.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String || status.GetString() is not ("resolved" or "cancelled"))
                yield return $"The answer to interrupt {interruptId} must have status resolved or cancelled.";
            else if (entry.TryGetProperty("payload", out var payload) && PayloadProblem(interruptId, payload, status.GetString() == "resolved") is { } problem)
                yield return problem;
            else if (status.GetString() == "resolved" && !entry.TryGetProperty("payload", out _))
                yield return $"The resolved answer to interrupt {interruptId} must have a payload {{approved, reason?}}.";
        }
    }

    private static string? PayloadProblem(string interruptId, JsonElement payload, bool resolved)
    {
        if (!resolved && payload.ValueKind == JsonValueKind.Null) return null;
        if (payload.ValueKind != JsonValueKind.Object) return $"The payload answering interrupt {interruptId} must be an object {{approved, reason?}}.";
        if (payload.TryGetProperty("approved", out var approved) ? approved.ValueKind is not (JsonValueKind.True or JsonValueKind.False) : resolved)
            return $"The payload answering interrupt {interruptId} must have approved: true or false.";
        if (payload.TryGetProperty("reason", out var reason) && reason.ValueKind != JsonValueKind.Null
            && (reason.ValueKind != JsonValueKind.String || reason.GetString()!.Length > 500))
            return $"The reason answering interrupt {interruptId} must be a string of at most 500 characters.";
        return null;
    }

    /// <summary>User and assistant messages, and tool messages as assistant ones: a run cannot end on a tool's answer.</summary>
    private List<ConversationMessage> Conversation() =>
        Messages!.Where(m => m!.Role is "user" or "assistant" or "tool")
            .Select(m => m!.Role == "user"
                ? new ConversationMessage(ConversationRole.User, m.Text())
                : new ConversationMessage(ConversationRole.Assistant, m.Role == "assistant" ? m.Text() : ""))
            .ToList();

    private JsonElement? Prop(string name) =>
        ForwardedProps is { ValueKind: JsonValueKind.Object } props && props.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    private static string? Problem(AgUiMessage? message)
    {
        if (message is null) return "A message must be an object {id, role, content}.";
        if (message.Role is null || !Roles.Contains(message.Role))
            return $"A message's role must be one of {string.Join(", ", Roles)}; it was '{message.Role}'.";
        if (message.Role == "tool")
            return message.ToolCallId is { Length: > 0 and <= 256 } && message.Content is { ValueKind: JsonValueKind.String }
                ? null
                : "A tool message must have a toolCallId (1 to 256 characters) and a string content: the tool's result.";
        if (message.Role is not ("user" or "assistant")) return null;
        switch (message.Content)
        {
            case null or { ValueKind: JsonValueKind.String or JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.Array } parts when message.Role == "user":
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                        return "Every content part must be an object with a string type.";
                    if (type.GetString() == "text" && (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String))
                        return "A text content part must have a string text.";
                }
                return null;
            default:
                return message.Role == "user"
                    ? "A user message's content must be a string or an array of content parts."
                    : "An assistant message's content must be a string.";
        }
    }
}

/// <summary>A decision that <c>resume</c> gives on one interrupt: the approval of that id.</summary>
public sealed record ResumeDecision(string InterruptId, bool Approved, string? Reason);
