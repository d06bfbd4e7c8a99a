using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;

namespace StreamingApi.Streaming;

/// <summary>The fields every streaming endpoint takes, from the query string (GET) or a JSON body (POST).</summary>
/// <remarks>
/// The other streams' requests declare these fields again rather than inherit them: their request delegates are generated at
/// compile time, and the generator binds only the properties an <c>[AsParameters]</c> type declares.
/// </remarks>
[ValidatableType]
public class StreamRequest : IValidatableObject
{
    internal const string PromptDescription = "What to ask the agent: 1 to 4,000 characters (the limit is the setting Streaming:MaxPromptChars).";
    internal const string MaxSecondsDescription = "The server ends the run after this many seconds, with done {status: cancelled, reason: time-limit}.";

    [Description(PromptDescription), Required, FromQuery(Name = "prompt")]
    public string? Prompt { get; set; }

    [Description(MaxSecondsDescription), Range(1, 3600), FromQuery(Name = "maxSeconds")]
    public int? MaxSeconds { get; set; }

    public TimeSpan? TimeLimit => TimeLimitOf(MaxSeconds);

    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => ValidatePrompt(Prompt, validationContext);

    internal static TimeSpan? TimeLimitOf(int? maxSeconds) => maxSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    internal static IEnumerable<ValidationResult> ValidatePrompt(string? prompt, ValidationContext validationContext)
    {
        var limits = validationContext.GetService<IOptions<StreamingOptions>>()?.Value ?? new StreamingOptions();
        if (prompt is null) yield break;
        if (string.IsNullOrWhiteSpace(prompt))
            yield return new ValidationResult("The prompt must not be empty.", [nameof(Prompt)]);
        else if (prompt.Length > limits.MaxPromptChars)
            yield return new ValidationResult($"The prompt must be at most {limits.MaxPromptChars} characters; it has {prompt.Length}.", [nameof(Prompt)]);
    }
}

[ValidatableType]
public sealed class ProgressStreamRequest : IValidatableObject
{
    public const int DefaultEvery = 10;

    [Description(StreamRequest.PromptDescription), Required, FromQuery(Name = "prompt")]
    public string? Prompt { get; set; }

    [Description(StreamRequest.MaxSecondsDescription), Range(1, 3600), FromQuery(Name = "maxSeconds")]
    public int? MaxSeconds { get; set; }

    [Description("A progress event after every this many text chunks (default 10), and one at the end.")]
    [Range(1, 100_000)]
    [FromQuery(Name = "every")]
    public int? Every { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => StreamRequest.ValidatePrompt(Prompt, validationContext);
}

[ValidatableType]
public sealed class BufferedStreamRequest : IValidatableObject
{
    public const int DefaultMinChars = 50;
    public const int DefaultMaxDelayMs = 250;

    [Description(StreamRequest.PromptDescription), Required, FromQuery(Name = "prompt")]
    public string? Prompt { get; set; }

    [Description(StreamRequest.MaxSecondsDescription), Range(1, 3600), FromQuery(Name = "maxSeconds")]
    public int? MaxSeconds { get; set; }

    [Description("A text frame is sent once this many characters are buffered (default 50).")]
    [Range(1, 100_000)]
    [FromQuery(Name = "minChars")]
    public int? MinChars { get; set; }

    [Description("Whatever is buffered is sent after this many milliseconds (default 250).")]
    [Range(1, 60_000)]
    [FromQuery(Name = "maxDelayMs")]
    public int? MaxDelayMs { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => StreamRequest.ValidatePrompt(Prompt, validationContext);
}

[ValidatableType]
public sealed class FlakyStreamRequest : IValidatableObject
{
    [Description(StreamRequest.PromptDescription), Required, FromQuery(Name = "prompt")]
    public string? Prompt { get; set; }

    [Description(StreamRequest.MaxSecondsDescription), Range(1, 3600), FromQuery(Name = "maxSeconds")]
    public int? MaxSeconds { get; set; }

    [Description("Makes the inventory tool fail (default true).")]
    [FromQuery(Name = "fail")]
    public bool? Fail { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => StreamRequest.ValidatePrompt(Prompt, validationContext);
}
