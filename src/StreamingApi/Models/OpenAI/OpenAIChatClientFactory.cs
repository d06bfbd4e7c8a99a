using Microsoft.Extensions.AI;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// An OpenAI-compatible server through <see cref="OpenAIChatClient"/>, with call ids unique in the conversation
/// (<see cref="UniqueCallIdsChatClient"/>): servers number their calls per answer (call_0, call_1, ...).
/// </summary>
internal static class OpenAIChatClientFactory
{
    /// <summary>
    /// With a service provider, the HTTP client is the named <see cref="OpenAIChatClient.HttpClientName"/> one, with its
    /// retries (<see cref="OpenAIRetries"/>); without one (tests, tools), one of its own with the same retries.
    /// </summary>
    public static IChatClient Create(OpenAIOptions options, IServiceProvider? services = null)
    {
        var factory = services?.GetService<IHttpClientFactory>();
        var client = factory is null
            ? new OpenAIChatClient(OpenAIRetries.CreateHttpClient(), options, ownsHttpClient: true)
            : new OpenAIChatClient(factory.CreateClient(OpenAIChatClient.HttpClientName), options);
        return new ChatClientBuilder(client).UseUniqueCallIds().Build(services);
    }
}
