using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using StreamingApi.Agents;
using StreamingApi.Limits;
using StreamingApi.Streaming;

namespace StreamingApi.VercelUi;

/// <summary>
/// The body <c>useChat</c>'s <c>DefaultChatTransport</c> posts: the chat's id, the whole conversation as UI messages,
/// what triggered the request, and the fields a client adds through the transport's <c>body</c> option.
/// </summary>
/// <remarks>
/// The conversation goes to the model as text: each message's <c>text</c> parts, joined by a line break. Tool,
/// reasoning, file, source and data parts are left out (a new run calls its tools again rather than trusting
/// results from the client), as are <c>system</c> messages: an agent's instructions are its own. Part types this
/// server does not know are skipped, never refused.
/// <para>
/// A request whose last message is the assistant's, with tool parts in state <c>approval-responded</c>
/// (<c>addToolApprovalResponse</c>), gives the decisions on the run that answers that message (its id is the run's id):
/// the run goes on, and the response continues that message (<see cref="ApprovalResponses"/>). Tool parts of the
/// client's own tools (<see cref="Tools"/>) in state <c>output-available</c> or <c>output-error</c>
/// (<c>addToolOutput</c>) give their results the same way (<see cref="ToolOutputs"/>).
/// </para>
/// </remarks>
[ValidatableType]
public sealed class ChatRequest : IValidatableObject
{
    public const string SubmitMessage = "submit-message";
    public const string RegenerateMessage = "regenerate-message";

    [Description("The chat's id. The chat's current run is found by it when the client resumes (GET …/chat/{id}/stream).")]
    public string? Id { get; set; }

    [Description("The whole conversation, oldest first; it must end with the user's message. UI messages: {id, role, parts}.")]
    public List<UiMessage?>? Messages { get; set; }

    [Description("submit-message (a new or edited user message) or regenerate-message (the answer again); either way the conversation sent is answered.")]
    public string? Trigger { get; set; }

    [Description("The message being edited or regenerated, as the client sends it; the conversation already reflects it, so it is not used.")]
    public string? MessageId { get; set; }

    [Description("The server ends the run after this many seconds; the stream ends with abort.")]
    [Range(1, 3600)]
    public int? MaxSeconds { get; set; }

    [Description("A transient data-progress part after every this many text chunks, and one at the end.")]
    [Range(1, 100_000)]
    public int? Every { get; set; }

    [Description("The inventory agent only: its tool fails (default false).")]
    public bool? Fail { get; set; }

    [Description("false: the client cannot answer tool approvals (the AI SDK 5, which knows no approval parts), so a tool call that " +
                 "needs one ends the answer with an error part and the run is stopped. Default true, unless the User-Agent names ai-sdk/5.")]
    public bool? Approvals { get; set; }

    [Description("Tools the client runs itself: [{name, description?, parameters?}], parameters a JSON Schema. They are offered to the model; a " +
                 "call of one ends the answer (tool-input-available, then finish with messageMetadata.status waiting) while the run waits, and the " +
                 "client's next request, with the tool part in state output-available (addToolOutput), gives the result: the same message goes on.")]
    public JsonElement? Tools { get; set; }

    /// <summary>
    /// The decisions the request gives: the <c>approval-responded</c> tool parts of its last message, when that message
    /// is the assistant's (once validated). Empty for an ordinary request.
    /// </summary>
    public IReadOnlyList<UiApprovalResponse> ApprovalResponses() =>
        Messages is [.., { Role: "assistant" } last] ? UiApprovalResponse.Of(last) : [];

    /// <summary>
    /// The results of tools in the request's last message, when that message is the assistant's (once validated): those of
    /// the client's own tools that the run waits for are its answers. Empty for an ordinary request.
    /// </summary>
    public IReadOnlyList<UiToolOutput> ToolOutputs() =>
        Messages is [.., { Role: "assistant" } last] ? UiToolOutput.Of(last) : [];

    /// <summary>Whether the request goes on with the run that answers its last message: it gives decisions or tools' results in it.</summary>
    public bool Continues => ApprovalResponses().Count > 0 || ToolOutputs().Count > 0;

    /// <summary>The tools the client offers (once validated).</summary>
    public IReadOnlyList<ClientTool> ClientTools() => ClientToolList.Read(Tools);

    public TimeSpan? TimeLimit => MaxSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var limits = validationContext.GetService<IOptions<StreamingOptions>>()?.Value ?? new StreamingOptions();
        var maxMessages = (validationContext.GetService<IOptions<LimitOptions>>()?.Value ?? new LimitOptions()).MaxMessages;
        if (string.IsNullOrWhiteSpace(Id))
            yield return new ValidationResult("The chat's id is required.", [nameof(Id)]);
        else if (Id.Length > 256)
            yield return new ValidationResult($"The chat's id must be at most 256 characters; it has {Id.Length}.", [nameof(Id)]);
        if (Trigger is not (null or SubmitMessage or RegenerateMessage))
            yield return new ValidationResult($"The trigger must be {SubmitMessage} or {RegenerateMessage}; it was '{Trigger}'.", [nameof(Trigger)]);
        foreach (var problem in ClientToolList.Problems(Tools)) yield return new ValidationResult(problem, [nameof(Tools)]);
        foreach (var result in Conversations.CheckMessages(Messages, Problems, Conversation, limits, maxMessages, nameof(Messages))) yield return result;
    }

    /// <summary>The conversation as the agent takes it (once validated).</summary>
    public AgentRequest ToAgentRequest() => Conversations.ToRequest(Conversation()) with { ClientTools = ClientTools() };

    /// <summary>The conversation as the model takes it; a request with answers, without the message they continue.</summary>
    private List<ConversationMessage> Conversation() =>
        (Continues ? Messages!.Take(Messages!.Count - 1) : Messages!).Where(m => m!.Role is "user" or "assistant")
            .Select(m => new ConversationMessage(m!.Role == "user" ? ConversationRole.User : ConversationRole.Assistant, m.Text()))
            .ToList();

    private static IEnumerable<string> Problems(UiMessage? message)
    {
        if (message is null)
        {
            yield return "A message must be an object {id, role, parts}.";
            yield break;
        }
        if (message.Role is not ("user" or "assistant" or "system"))
            yield return $"A message's role must be user, assistant or system; it was '{message.Role}'.";
        if (message.Parts is null)
        {
            yield return "A message must have parts (an array; text is in parts of type text).";
            yield break;
        }
        foreach (var part in message.Parts)
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                yield return "Every part must be an object with a string type.";
            else if (type.GetString() == "text" && (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String))
                yield return "A text part must have a string text.";
            else if (UiApprovalResponse.Problem(part) is { } problem)
                yield return problem;
        }
    }
}
