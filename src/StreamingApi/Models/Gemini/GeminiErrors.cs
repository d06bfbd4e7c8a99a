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
        return ModelErrors.Refused("Gemini", status, error?.Status, error?.Message, apiKey, retryAfter);
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

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)s$")]
    private static partial Regex Seconds();
}
