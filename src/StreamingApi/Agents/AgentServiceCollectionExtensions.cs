using StreamingApi.Agents.Tools;

namespace StreamingApi.Agents;

public static class AgentServiceCollectionExtensions
{
    /// <summary>The agents and their tools.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddOptions<ToolOptions>().BindConfiguration("Tools");
        services.AddSingleton<ToolCancellation>();
        services.AddSingleton<AnalystTools>();
        services.AddSingleton<FlakyTools>();
        services.AddSingleton<AgentCatalog>();
        return services;
    }
}
