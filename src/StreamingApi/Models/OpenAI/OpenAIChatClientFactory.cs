using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace StreamingApi.Models.OpenAI;

/// <summary>
/// An OpenAI-compatible server through the official OpenAI client and Microsoft.Extensions.AI.OpenAI, with the
/// reasoning that library does not read (<see cref="OpenAIReasoning"/>), call ids unique in the conversation
/// (<see cref="UniqueCallIds"/>) and failures that are safe to show (<see cref="OpenAIErrors"/>).
/// </summary>
internal static class OpenAIChatClientFactory
{
    public static IChatClient Create(OpenAIOptions options)
    {
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey),
            new OpenAIClientOptions { Endpoint = options.Endpoint });
        return new OpenAIErrors(new UniqueCallIds(new OpenAIReasoning(client.GetChatClient(options.Model).AsIChatClient())), options.ApiKey);
    }
}
