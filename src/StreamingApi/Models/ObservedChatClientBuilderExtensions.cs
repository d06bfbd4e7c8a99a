using Microsoft.Extensions.AI;
using StreamingApi.Observability;

namespace StreamingApi.Models;

internal static class ObservedChatClientBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="ObservedChatClient"/>: the GenAI conventions' metrics for every model call (with the
    /// <see cref="ModelCallMetrics"/> of the services, when there are), and their spans for the calls anyone will see.
    /// Prompts, answers and tool arguments only with <see cref="TelemetryOptions.RecordContent"/>.
    /// </summary>
    public static ChatClientBuilder UseModelTelemetry(this ChatClientBuilder builder, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) => new ObservedChatClient(innerClient, options, services.GetService<ModelCallMetrics>()));
    }
}
