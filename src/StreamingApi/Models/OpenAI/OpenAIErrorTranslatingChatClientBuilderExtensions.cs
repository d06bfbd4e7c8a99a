using Microsoft.Extensions.AI;

namespace StreamingApi.Models.OpenAI;

internal static class OpenAIErrorTranslatingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="OpenAIErrorTranslatingChatClient"/>: the OpenAI client's failures become
    /// <see cref="Agents.ModelCallException"/>s that never repeat <paramref name="apiKey"/>. Use it first, so it is outermost.
    /// </summary>
    public static ChatClientBuilder UseOpenAIErrorTranslation(this ChatClientBuilder builder, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(innerClient => new OpenAIErrorTranslatingChatClient(innerClient, apiKey));
    }
}
