using Microsoft.Extensions.AI;
using StreamingApi.Models.Offline;

namespace StreamingApi.Models;

/// <summary>Which model the agents run on (section <c>Agent</c>, key <c>Provider</c>).</summary>
public sealed class ModelOptions
{
    public const string Offline = "offline";

    public string Provider { get; set; } = Offline;
}

public static class ModelServiceCollectionExtensions
{
    /// <summary>Registers the chat model chosen by <c>Agent:Provider</c> as the <see cref="IChatClient"/> the agents use.</summary>
    public static IServiceCollection AddChatModel(this IServiceCollection services, IConfiguration configuration)
    {
        var model = configuration.GetSection("Agent").Get<ModelOptions>() ?? new ModelOptions();
        services.AddOptions<OfflineModelOptions>().BindConfiguration("OfflineModel");
        switch (model.Provider.Trim().ToLowerInvariant())
        {
            case ModelOptions.Offline:
                services.AddSingleton<IChatClient, OfflineChatClient>();
                break;
            default:
                throw new InvalidOperationException(
                    $"Agent:Provider is '{model.Provider}', which is not a known provider. Use '{ModelOptions.Offline}'.");
        }
        return services;
    }
}
