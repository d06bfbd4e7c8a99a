namespace StreamingApi.Models.Gemini;

/// <summary>Google Gemini through its native REST API (section <c>Gemini</c>; the key may also come from <c>GEMINI_API_KEY</c>).</summary>
public sealed class GeminiOptions
{
    public string? ApiKey { get; set; }

    public string Model { get; set; } = "gemini-2.5-flash";

    public Uri Endpoint { get; set; } = new("https://generativelanguage.googleapis.com/");

    /// <summary>
    /// Asks thinking models for summaries of their thoughts (<c>thinkingConfig.includeThoughts</c>), streamed as
    /// <c>reasoning</c> events. Turn it off for models that do not think.
    /// </summary>
    public bool IncludeThoughts { get; set; } = true;

    /// <summary>Retries of a call that failed before any byte of the answer arrived (5xx, 408, transport errors).</summary>
    public int MaxRetries { get; set; } = 2;

    public int RetryDelayMs { get; set; } = 1000;
}
