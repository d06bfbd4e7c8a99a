using Microsoft.Extensions.AI;
using StreamingApi.Observability;

namespace StreamingApi.Models;

internal static class ObservedChatClientBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="ObservedChatClient"/>: the GenAI conventions' spans and metrics for the model calls anyone will
    /// see. Prompts, answers and tool arguments only with <see cref="TelemetryOptions.RecordContent"/>.
    /// </summary>
    public static ChatClientBuilder UseModelTelemetry(this ChatClientBuilder builder, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(innerClient => new ObservedChatClient(innerClient, options));
    }
}
