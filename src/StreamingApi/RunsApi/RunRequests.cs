using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Validation;
using StreamingApi.Agents;
using StreamingApi.Streaming;

namespace StreamingApi.RunsApi;

/// <summary>The body of <c>POST /runs</c>: which agent, the prompt, and the options the streams take.</summary>
[ValidatableType]
public sealed class StartRunRequest : StreamRequest
{
    [Description("The agent, by the name its run event uses: writer, analyst or inventory.")]
    [Required]
    public string? Agent { get; set; }

    [Description("A progress event after every this many text chunks, and one at the end (as /stream/progress).")]
    [Range(1, 100_000)]
    public int? Every { get; set; }

    [Description("Text is sent in frames of at least this many characters (as /stream/buffered).")]
    [Range(1, 100_000)]
    public int? MinChars { get; set; }

    [Description("Buffered text is sent after at most this many milliseconds (as /stream/buffered).")]
    [Range(1, 60_000)]
    public int? MaxDelayMs { get; set; }

    [Description("Makes the inventory agent's tool fail (default false).")]
    public bool? Fail { get; set; }

    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in base.Validate(validationContext)) yield return result;
        var agents = validationContext.GetService<AgentCatalog>();
        if (Agent is not null && agents is not null && agents.Find(Agent) is null)
            yield return new ValidationResult($"The agent must be one of {string.Join(", ", agents.Names)}; it was '{Agent}'.", [nameof(Agent)]);
    }
}
