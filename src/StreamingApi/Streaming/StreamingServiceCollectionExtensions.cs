using System.Text.Encodings.Web;

namespace StreamingApi.Streaming;

public static class StreamingServiceCollectionExtensions
{
    /// <summary>SSE responses, their JSON (camelCase, unicode kept readable), their settings and limits.</summary>
    public static IServiceCollection AddStreaming(this IServiceCollection services)
    {
        services.AddOptions<StreamingOptions>().BindConfiguration("Streaming")
            .Validate(o => o.MaxPromptChars > 0 && o.MaxConversationChars > 0 && o.RetryMs >= 0 && o.HeartbeatSeconds >= 0 && o.StalledReaderSeconds >= 0,
                "Streaming: MaxPromptChars and MaxConversationChars must be more than 0; RetryMs, HeartbeatSeconds and StalledReaderSeconds 0 or more.")
            .ValidateOnStart();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EventStreams>();
        services.AddSingleton<StreamWatches>();
        return services;
    }
}
