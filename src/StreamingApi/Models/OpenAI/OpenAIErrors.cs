using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Agents;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// Turns an OpenAI-compatible server's failures into <see cref="ModelCallException"/>s with the same guarantees as
/// Gemini's: the upstream's status, the shared title (<see cref="ModelErrors"/>), its own words without the key, and
/// its retry delay.
/// </summary>
internal static class OpenAIErrors
{
    public const string Service = "The model server";

    public static async Task<ModelCallException> FromResponseAsync(HttpResponseMessage response, string? apiKey, CancellationToken cancellationToken)
    {
        string? code = null, said = null;
        try
        {
            code = CodeOf(JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)), out said);
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, say): the status alone has to do.
        }
        return ModelErrors.Refused(Service, (int)response.StatusCode, code, said, apiKey, RetryAfterOf(response));
    }

    /// <summary>An error the server sent in its stream, after it had answered 200: the answer failed on its way.</summary>
    public static ModelCallException InStream(JsonElement error, string? apiKey)
    {
        var code = CodeOf(JsonNode.Parse(error.GetRawText()) is { } node ? new JsonObject { ["error"] = node } : null, out var said);
        said = ModelErrors.Scrub(said, apiKey);
        return new ModelCallException(StatusCodes.Status502BadGateway, ModelErrors.Title(Service, StatusCodes.Status502BadGateway),
            $"{Service}'s answer broke off with an error{(string.IsNullOrWhiteSpace(code) ? "" : $" {code}")}{(said is null ? "." : $": {said}")}");
    }

    public static ModelCallException Unreachable(Exception inner) => new(StatusCodes.Status502BadGateway,
        $"{Service} could not be reached", "The call to the model server failed or its answer broke off.", inner);

    public static ModelCallException Malformed(Exception inner) => new(StatusCodes.Status502BadGateway,
        $"{Service} sent a malformed event", "An event of the model server's stream was not valid JSON.", inner);

    /// <summary>
    /// The error code and message of a body: OpenAI's <c>{"error": {"message", "type", "code"}}</c>, and the shapes of
    /// compatible servers, <c>{"error": "..."}</c> or <c>{"message": "...", "type": "..."}</c>.
    /// </summary>
    private static string? CodeOf(JsonNode? node, out string? message)
    {
        message = null;
        if (node is not JsonObject body) return null;
        if (body["error"] is JsonValue plain)
        {
            message = Text(plain);
            return null;
        }
        var error = body["error"] as JsonObject ?? body;
        message = Text(error["message"]);
        return Text(error["code"]) ?? Text(error["type"]);

        static string? Text(JsonNode? node) => node is JsonValue value
            ? value.TryGetValue<string>(out var text) ? text : value.GetValueKind() == JsonValueKind.Number ? value.ToJsonString() : null
            : null;
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Retry-After", out var values) || values.FirstOrDefault() is not { } value || string.IsNullOrWhiteSpace(value))
            return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at > DateTimeOffset.UtcNow
            ? at - DateTimeOffset.UtcNow
            : null;
    }
}
