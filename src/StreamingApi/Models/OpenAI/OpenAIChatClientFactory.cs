using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// An OpenAI-compatible server through the official OpenAI client and Microsoft.Extensions.AI.OpenAI, composed
/// outermost first: failures that are safe to show (<see cref="OpenAIErrorTranslatingChatClient"/>), call ids unique
/// in the conversation (<see cref="UniqueCallIdsChatClient"/>), and the reasoning that library does not read
/// (<see cref="OpenAIReasoningChatClient"/>).
/// </summary>
internal static class OpenAIChatClientFactory
{
    public static IChatClient Create(OpenAIOptions options, IServiceProvider? services = null)
    {
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey),
            new OpenAIClientOptions { Endpoint = options.Endpoint });
        return new ChatClientBuilder(client.GetChatClient(options.Model).AsIChatClient())
            .UseOpenAIErrorTranslation(options.ApiKey)
            .UseUniqueCallIds()
            .UseOpenAIReasoning()
            .Build(services);
    }
}
