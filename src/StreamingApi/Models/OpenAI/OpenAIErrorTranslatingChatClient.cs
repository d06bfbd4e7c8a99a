using System.ClientModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StreamingApi.Agents;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// Turns the OpenAI client's failures into <see cref="ModelCallException"/>s with the same guarantees as Gemini's:
/// the upstream's status, the shared title (<see cref="ModelErrors"/>), its own words without the key, and its retry delay.
/// Outermost in the OpenAI pipeline, so it also sees what the clients inside it let through.
/// </summary>
internal sealed class OpenAIErrorTranslatingChatClient(IChatClient innerClient, string? apiKey) : DelegatingChatClient(innerClient)
{
    private const string Service = "The model server";

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (Translate(exception, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false)) break;
            }
            catch (Exception exception) when (Translate(exception, cancellationToken) is { } translated)
            {
                throw translated;
            }
            yield return updates.Current;
        }
    }

    private ModelCallException? Translate(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        _ when cancellationToken.IsCancellationRequested => null,
        ClientResultException { Status: > 0 } result =>
            ModelErrors.Refused(Service, result.Status, CodeOf(result, out var said), said, apiKey, RetryAfterOf(result), result),
        ClientResultException or HttpRequestException or IOException => new ModelCallException(StatusCodes.Status502BadGateway,
            $"{Service} could not be reached", "The call to the model server failed or its answer broke off.", exception),
        JsonException => new ModelCallException(StatusCodes.Status502BadGateway,
            $"{Service} sent a malformed event", "An event of the model server's stream was not valid JSON.", exception),
        _ => null,
    };

    /// <summary>
    /// The error code and message of the answer's body: OpenAI's <c>{"error": {"message", "type", "code"}}</c>, and
    /// the shapes of compatible servers, <c>{"error": "..."}</c> or <c>{"message": "...", "type": "..."}</c>.
    /// </summary>
    private static string? CodeOf(ClientResultException result, out string? message)
    {
        message = null;
        try
        {
            if (result.GetRawResponse() is not { } response || JsonNode.Parse(response.Content.ToString()) is not JsonObject body) return null;
            if (body["error"] is JsonValue plain)
            {
                message = Text(plain);
                return null;
            }
            var error = body["error"] as JsonObject ?? body;
            message = Text(error["message"]);
            return Text(error["code"]) ?? Text(error["type"]);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null; // not JSON (a proxy's page, say), or no body kept: the status alone has to do
        }

        static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    private static TimeSpan? RetryAfterOf(ClientResultException result)
    {
        if (result.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) != true || string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at > DateTimeOffset.UtcNow
            ? at - DateTimeOffset.UtcNow
            : null;
    }
}
