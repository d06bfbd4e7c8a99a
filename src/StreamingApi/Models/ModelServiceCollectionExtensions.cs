using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StreamingApi.Models.Gemini;
using StreamingApi.Models.Offline;
using StreamingApi.Models.OpenAI;
using StreamingApi.Observability;

namespace StreamingApi.Models;

public static class ModelServiceCollectionExtensions
{
    /// <summary>
    /// Registers the chat model chosen by <c>Agent:Provider</c> as the <see cref="IChatClient"/> the agents use.
    /// A provider chosen without its settings stops start-up, naming the missing setting. Both real providers give
    /// their calls ids unique in the conversation the same way, with <see cref="UniqueCallIdsChatClientBuilderExtensions.UseUniqueCallIds"/>.
    /// </summary>
    public static IServiceCollection AddChatModel(this IServiceCollection services)
    {
        services.AddOptions<ModelOptions>().BindConfiguration("Agent")
            .Validate(o => o.Normalized is ModelOptions.Offline or ModelOptions.Gemini or ModelOptions.OpenAI,
                "Agent:Provider must be 'offline', 'gemini' or 'openai'.")
            .ValidateOnStart();
        services.AddOptions<OfflineModelOptions>().BindConfiguration("OfflineModel");
        services.AddSingleton<OfflinePacer>();
        services.AddOptions<GeminiOptions>().BindConfiguration("Gemini")
            .PostConfigure<IConfiguration>((o, configuration) => o.ApiKey = First(o.ApiKey, configuration["GEMINI_API_KEY"]))
            .Validate<IOptions<ModelOptions>>((o, model) => model.Value.Normalized != ModelOptions.Gemini || !string.IsNullOrWhiteSpace(o.ApiKey),
                "Agent:Provider is 'gemini' but no key is set: set the GEMINI_API_KEY environment variable or Gemini:ApiKey.")
            .ValidateOnStart();
        services.AddOptions<OpenAIOptions>().BindConfiguration("OpenAI")
            .PostConfigure<IConfiguration>((o, configuration) => o.ApiKey = First(o.ApiKey, configuration["OPENAI_API_KEY"]))
            .Validate<IOptions<ModelOptions>>((o, model) => model.Value.Normalized != ModelOptions.OpenAI || !o.NeedsKey || !string.IsNullOrWhiteSpace(o.ApiKey),
                "Agent:Provider is 'openai' but no key is set: set the OPENAI_API_KEY environment variable or OpenAI:ApiKey (or point OpenAI:Endpoint at a local server).")
            .Validate<IOptions<ModelOptions>>((o, model) => model.Value.Normalized != ModelOptions.OpenAI || !string.IsNullOrWhiteSpace(o.Model),
                "Agent:Provider is 'openai' but OpenAI:Model is not set.")
            .ValidateOnStart();

        services.AddHttpClient(GeminiChatClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddGeminiRetries();
        services.AddHttpClient(OpenAIChatClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddOpenAIRetries();

        // Every provider's pipeline inside one outermost layer: the spans and metrics of the model calls anyone will see.
        services.AddSingleton<IChatClient>(provider => new ChatClientBuilder(provider.GetRequiredService<IOptions<ModelOptions>>().Value.Normalized switch
        {
            ModelOptions.Gemini => new ChatClientBuilder(ActivatorUtilities.CreateInstance<GeminiChatClient>(provider))
                .UseUniqueCallIds()
                .Build(provider),
            ModelOptions.OpenAI => OpenAIChatClientFactory.Create(provider.GetRequiredService<IOptions<OpenAIOptions>>().Value, provider),
            // The offline model numbers its calls through the conversation (call_1, call_2, ...): its ids are unique already.
            _ => ActivatorUtilities.CreateInstance<OfflineChatClient>(provider),
        }).UseModelTelemetry(provider.GetRequiredService<IOptions<TelemetryOptions>>().Value).Build(provider));
        return services;
    }

    private static string? First(string? configured, string? environment) =>
        string.IsNullOrWhiteSpace(configured) ? environment : configured;
}
