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
/// own tools again, and an agent's instructions are its own. The client's <c>tools</c> are not offered to the model
/// (our agents run their own tools on the server); <c>context</c> and <c>state</c> are not used. <c>forwardedProps</c>
/// may carry the options <c>/api/chat</c> takes in its body: <c>maxSeconds</c>, <c>every</c> and <c>fail</c>.
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

    [Description("Tools the client offers; not used: our agents run their own tools.")]
    public JsonElement? Tools { get; set; }

    [Description("Context the client gives; not used.")]
    public JsonElement? Context { get; set; }

    [Description("The client's state; not used (the agent's state is its structured result, sent as STATE_SNAPSHOT).")]
    public JsonElement? State { get; set; }

    [Description("Properties forwarded by the client: maxSeconds (the server ends the run after this many seconds), every (a progress " +
                 "CUSTOM event after every this many text chunks) and fail (the inventory agent's tool fails); anything else is ignored.")]
    public JsonElement? ForwardedProps { get; set; }

    public TimeSpan? TimeLimit => Prop("maxSeconds") is { ValueKind: JsonValueKind.Number } seconds ? TimeSpan.FromSeconds(seconds.GetInt32()) : null;

    public int? Every => Prop("every") is { ValueKind: JsonValueKind.Number } every ? every.GetInt32() : null;

    public bool Fail => Prop("fail") is { ValueKind: JsonValueKind.True };

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
        foreach (var result in Conversations.CheckMessages(Messages, m => Problem(m) is { } problem ? [problem] : [], Conversation, limits, maxMessages, nameof(Messages)))
            yield return result;
    }

    /// <summary>The conversation as the agent takes it (once validated).</summary>
    public AgentRequest ToAgentRequest() => Conversations.ToRequest(Conversation());

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
