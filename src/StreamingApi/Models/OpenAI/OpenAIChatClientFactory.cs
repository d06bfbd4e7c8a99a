using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;
using StreamingApi.Agents;

namespace StreamingApi.Models.OpenAI;

/// <summary>An OpenAI-compatible server through the official OpenAI client and Microsoft.Extensions.AI.OpenAI.</summary>
internal static class OpenAIChatClientFactory
{
    public static IChatClient Create(OpenAIOptions options)
    {
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey),
            new OpenAIClientOptions { Endpoint = options.Endpoint });
        return new OpenAIErrors(client.GetChatClient(options.Model).AsIChatClient());
    }

    /// <summary>Turns the OpenAI client's failures into <see cref="ModelCallException"/>s that are safe to show.</summary>
    private sealed class OpenAIErrors(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (Exception exception) when (Translate(exception, cancellationToken) is { } translated)
            {
                throw translated;
            }
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
            ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync()) break;
                }
                catch (Exception exception) when (Translate(exception, cancellationToken) is { } translated)
                {
                    throw translated;
                }
                yield return updates.Current;
            }
        }

        private static ModelCallException? Translate(Exception exception, CancellationToken cancellationToken) => exception switch
        {
            _ when cancellationToken.IsCancellationRequested => null,
            ClientResultException { Status: > 0 } result => new ModelCallException(result.Status, TitleOf(result.Status),
                $"The model server answered {result.Status}.", result),
            ClientResultException or HttpRequestException or IOException => new ModelCallException(StatusCodes.Status502BadGateway,
                "The model server could not be reached", "The call to the model server failed or its answer broke off.", exception),
            System.Text.Json.JsonException => new ModelCallException(StatusCodes.Status502BadGateway,
                "The model server sent a malformed event", "An event of the model server's stream was not valid JSON.", exception),
            _ => null,
        };

        private static string TitleOf(int status) => status switch
        {
            400 => "The model server rejected the request",
            401 or 403 => "The model server refused the API key",
            404 => "The model was not found",
            429 => "The model server's rate limit was reached",
            >= 500 => "The model server failed",
            _ => "The model server refused the call",
        };
    }
}
