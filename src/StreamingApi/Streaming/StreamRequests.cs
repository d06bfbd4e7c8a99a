using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;

namespace StreamingApi.Streaming;

/// <summary>The fields every streaming endpoint takes, from the query string (GET) or a JSON body (POST).</summary>
[ValidatableType] // the streams are mapped by one generic helper, which the validation generator cannot see through
public class StreamRequest : IValidatableObject
{
    [Description("What to ask the agent: 1 to 4,000 characters (the limit is the setting Streaming:MaxPromptChars).")]
    [Required]
    [FromQuery(Name = "prompt")]
    public string? Prompt { get; set; }

    [Description("The server ends the run after this many seconds, with done {status: cancelled, reason: time-limit}.")]
    [Range(1, 3600)]
    [FromQuery(Name = "maxSeconds")]
    public int? MaxSeconds { get; set; }

    public TimeSpan? TimeLimit => MaxSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var limits = validationContext.GetService<IOptions<StreamingOptions>>()?.Value ?? new StreamingOptions();
        if (Prompt is null) yield break;
        if (string.IsNullOrWhiteSpace(Prompt))
            yield return new ValidationResult("The prompt must not be empty.", [nameof(Prompt)]);
        else if (Prompt.Length > limits.MaxPromptChars)
            yield return new ValidationResult($"The prompt must be at most {limits.MaxPromptChars} characters; it has {Prompt.Length}.", [nameof(Prompt)]);
    }
}

[ValidatableType]
public sealed class ProgressStreamRequest : StreamRequest
{
    public const int DefaultEvery = 10;

    [Description("A progress event after every this many text chunks (default 10), and one at the end.")]
    [Range(1, 100_000)]
    [FromQuery(Name = "every")]
    public int? Every { get; set; }
}

[ValidatableType]
public sealed class BufferedStreamRequest : StreamRequest
{
    public const int DefaultMinChars = 50;
    public const int DefaultMaxDelayMs = 250;

    [Description("A text frame is sent once this many characters are buffered (default 50).")]
    [Range(1, 100_000)]
    [FromQuery(Name = "minChars")]
    public int? MinChars { get; set; }

    [Description("Whatever is buffered is sent after this many milliseconds (default 250).")]
    [Range(1, 60_000)]
    [FromQuery(Name = "maxDelayMs")]
    public int? MaxDelayMs { get; set; }
}

[ValidatableType]
public sealed class FlakyStreamRequest : StreamRequest
{
    [Description("Makes the inventory tool fail (default true).")]
    [FromQuery(Name = "fail")]
    public bool? Fail { get; set; }
}
