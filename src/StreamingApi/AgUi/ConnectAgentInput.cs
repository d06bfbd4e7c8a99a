using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Validation;

namespace StreamingApi.AgUi;

/// <summary>
/// The <c>RunAgentInput</c> an AG-UI client sends to reconnect to its thread (<c>AbstractAgent.connectAgent()</c>
/// hands it to <c>connect</c>): the thread is what is looked for; the client's run id, when it sends one, is echoed; its
/// messages, whatever they end with, are echoed in <c>MESSAGES_SNAPSHOT</c> so that the client keeps them. Other fields
/// (<c>tools</c>, <c>context</c>, <c>state</c>, <c>forwardedProps</c>, <c>protocolVersion</c>) are accepted and ignored.
/// </summary>
[ValidatableType]
public sealed class ConnectAgentInput : IValidatableObject
{
    [Description("The conversation whose run to resume: the threadId the run was started with.")]
    public string? ThreadId { get; set; }

    [Description("The client's id for this connection, echoed in RUN_STARTED and RUN_FINISHED; our run's id when there is none.")]
    public string? RunId { get; set; }

    [Description("The messages the client has, echoed in MESSAGES_SNAPSHOT (except those of the run resumed, which the snapshot replaces).")]
    public List<JsonElement>? Messages { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ThreadId)) yield return new ValidationResult("ThreadId is required.", [nameof(ThreadId)]);
        else if (ThreadId.Length > 256) yield return new ValidationResult($"ThreadId must be at most 256 characters; it has {ThreadId.Length}.", [nameof(ThreadId)]);
        if (RunId is { Length: > 256 }) yield return new ValidationResult($"RunId must be at most 256 characters; it has {RunId.Length}.", [nameof(RunId)]);
        for (var i = 0; i < (Messages?.Count ?? 0); i++)
        {
            // Echoed as they came: each must at least be a message the client's schemas can take back.
            var message = Messages![i];
            if (message.ValueKind != JsonValueKind.Object || !IsString(message, "id") || !IsString(message, "role"))
                yield return new ValidationResult("A message must be an object with a string id and role.", [$"{nameof(Messages)}[{i}]"]);
        }
    }

    private static bool IsString(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String;
}
