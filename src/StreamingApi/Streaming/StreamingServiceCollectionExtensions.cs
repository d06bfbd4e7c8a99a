using System.Text.Encodings.Web;

namespace StreamingApi.Streaming;

public static class StreamingServiceCollectionExtensions
{
    /// <summary>SSE responses, their JSON (camelCase, unicode kept readable) and their limits and metrics.</summary>
    public static IServiceCollection AddStreaming(this IServiceCollection services)
    {
        services.AddOptions<StreamLimits>().BindConfiguration("Streaming");
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EventStreams>();
        return services;
    }
}
