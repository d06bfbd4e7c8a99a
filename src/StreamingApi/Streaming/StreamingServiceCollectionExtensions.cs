using System.Text.Encodings.Web;
using StreamingApi.AgUi;
using StreamingApi.Runs;
using StreamingApi.VercelUi;

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
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            // The frames' records, their metadata made at compile time; any other type still by reflection, which follows.
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, RunEventJsonContext.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(1, UiMessageJsonContext.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(2, AgUiJsonContext.Default);
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EventStreams>();
        services.AddSingleton<StreamWatches>();
        return services;
    }
}
