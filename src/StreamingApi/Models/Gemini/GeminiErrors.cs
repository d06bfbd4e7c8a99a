using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingApi.Agents;

namespace StreamingApi.Models.Gemini;

/// <summary>Turns Gemini's failures into <see cref="ModelCallException"/>s whose messages are safe to show a client.</summary>
internal static partial class GeminiErrors
{
    public static async Task<ModelCallException> FromResponseAsync(HttpResponseMessage response, string apiKey, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        GeminiError? error = null;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            error = JsonSerializer.Deserialize<GeminiErrorEnvelope>(body, GeminiJson.Options)?.Error;
        }
        catch (JsonException)
        {
            // Not Gemini's JSON error body (a proxy's page, say): the status alone has to do.
        }

        var retryAfter = RetryDelayOf(error) ?? response.Headers.RetryAfter?.Delta;
        var said = Scrub(error?.Message, apiKey);
        var title = response.StatusCode switch
        {
            HttpStatusCode.BadRequest => "Gemini rejected the request",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "Gemini refused the API key",
            HttpStatusCode.NotFound => "The Gemini model was not found",
            HttpStatusCode.TooManyRequests => "Gemini's rate limit was reached",
            _ when status >= 500 => "Gemini failed",
            _ => "Gemini refused the call",
        };
        var detail = $"Gemini answered {status}{(error?.Status is { } code ? $" {code}" : "")}" +
            (said is null ? "." : $": {said}") +
            (retryAfter is { } wait ? $" Retry after {Math.Ceiling(wait.TotalSeconds)} s." : "");
        return new ModelCallException(status, title, detail) { RetryAfter = retryAfter };
    }

    public static ModelCallException Unreachable(Exception inner) =>
        new(StatusCodes.Status502BadGateway, "Gemini could not be reached", "The call to Gemini failed before any answer arrived.", inner);

    public static ModelCallException ConnectionLost(Exception? inner) =>
        new(StatusCodes.Status502BadGateway, "The connection to Gemini was lost", "Gemini's answer stopped before it was finished.", inner);

    public static ModelCallException Malformed(Exception inner) =>
        new(StatusCodes.Status502BadGateway, "Gemini sent a malformed event", "An event of Gemini's stream was not valid JSON.", inner);

    public static ModelCallException Stopped(string reason) =>
        new(StatusCodes.Status502BadGateway, "Gemini stopped the answer", $"Gemini stopped the answer with finish reason {reason}.");

    public static ModelCallException Blocked(string reason) =>
        new(StatusCodes.Status400BadRequest, "Gemini blocked the prompt", $"Gemini blocked the prompt ({reason}).");

    /// <summary>The google.rpc.RetryInfo detail: <c>{"@type": ".../google.rpc.RetryInfo", "retryDelay": "37s"}</c>.</summary>
    private static TimeSpan? RetryDelayOf(GeminiError? error)
    {
        foreach (var detail in error?.Details ?? [])
        {
            if (detail.ValueKind == JsonValueKind.Object
                && detail.TryGetProperty("@type", out var type) && type.GetString()?.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal) == true
                && detail.TryGetProperty("retryDelay", out var delay)
                && Seconds().Match(delay.GetString() ?? "") is { Success: true } match)
            {
                return TimeSpan.FromSeconds(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return null;
    }

    /// <summary>Never repeat the key, and keep the upstream's words short.</summary>
    private static string? Scrub(string? message, string apiKey)
    {
        if (string.IsNullOrWhiteSpace(message)) return null;
        if (apiKey.Length > 0) message = message.Replace(apiKey, "***", StringComparison.Ordinal);
        message = ApiKeyLike().Replace(message, "***");
        return message.Length > 300 ? message[..300] + "…" : message;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)s$")]
    private static partial Regex Seconds();

    [GeneratedRegex(@"AIza[0-9A-Za-z_\-]{20,}")]
    private static partial Regex ApiKeyLike();
}
