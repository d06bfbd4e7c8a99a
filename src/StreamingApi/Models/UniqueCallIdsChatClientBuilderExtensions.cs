using Microsoft.Extensions.AI;

namespace StreamingApi.Models;

internal static class UniqueCallIdsChatClientBuilderExtensions
{
    /// <summary>Adds a <see cref="UniqueCallIdsChatClient"/>: every call the clients inside return gets an id unique in the conversation.</summary>
    public static ChatClientBuilder UseUniqueCallIds(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(innerClient => new UniqueCallIdsChatClient(innerClient));
    }
}
