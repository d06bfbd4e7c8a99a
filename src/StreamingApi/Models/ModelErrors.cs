using System.Text.RegularExpressions;
using StreamingApi.Agents;

namespace StreamingApi.Models;

/// <summary>
/// What the real-model clients (Gemini, OpenAI-compatible) report when the model's service refuses or fails a call:
/// one mapping from the HTTP status to the title, and a detail that is safe to show a client (the key is never in it).
/// </summary>
internal static partial class ModelErrors
{
    /// <summary>The error's title for <paramref name="status"/>, naming the service, e.g. "Gemini refused the API key".</summary>
    public static string Title(string service, int status) => status switch
    {
        400 => $"{service} rejected the request",
        401 or 403 => $"{service} refused the API key",
        404 => $"{service} did not find the model",
        429 => $"{service}'s rate limit was reached",
        >= 500 => $"{service} failed",
        _ => $"{service} refused the call",
    };

    /// <summary>
    /// The exception for a call the service answered with <paramref name="status"/>. <paramref name="code"/> is the
    /// service's own error code (e.g. RESOURCE_EXHAUSTED), <paramref name="said"/> its message, which is scrubbed here.
    /// </summary>
    public static ModelCallException Refused(string service, int status, string? code, string? said, string? apiKey, TimeSpan? retryAfter,
        Exception? inner = null)
    {
        said = Scrub(said, apiKey);
        var detail = $"{service} answered {status}{(string.IsNullOrWhiteSpace(code) ? "" : $" {code}")}" +
            (said is null ? "." : $": {said}") +
            (retryAfter is { } wait ? $" Retry after {Math.Ceiling(wait.TotalSeconds)} s." : "");
        return new ModelCallException(status, Title(service, status), detail, inner) { RetryAfter = retryAfter };
    }

    /// <summary>Never repeat a key (ours, or anything shaped like one), and keep the upstream's words short.</summary>
    public static string? Scrub(string? message, string? apiKey)
    {
        if (string.IsNullOrWhiteSpace(message)) return null;
        if (!string.IsNullOrEmpty(apiKey)) message = message.Replace(apiKey, "***", StringComparison.Ordinal);
        message = KeyLike().Replace(message, "***");
        return message.Length > 300 ? message[..300] + "…" : message;
    }

    /// <summary>Google API keys (AIza…) and OpenAI-style keys (sk-…, also as servers echo them half masked).</summary>
    [GeneratedRegex(@"AIza[0-9A-Za-z_\-]{20,}|\bsk-[0-9A-Za-z_\-*.]{6,}")]
    private static partial Regex KeyLike();
}
