using Microsoft.Extensions.AI;

namespace StreamingApi.Models.OpenAI;

internal static class OpenAIReasoningChatClientBuilderExtensions
{
    /// <summary>Adds an <see cref="OpenAIReasoningChatClient"/>: reasoning a server streams as <c>reasoning</c> is read, too.</summary>
    public static ChatClientBuilder UseOpenAIReasoning(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(innerClient => new OpenAIReasoningChatClient(innerClient));
    }
}
