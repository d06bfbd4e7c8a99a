using StreamingApi.Agents.Tools;
using StreamingApi.Runs;

namespace StreamingApi.Agents;

public static class AgentServiceCollectionExtensions
{
    /// <summary>The agents, their tools and the machinery that runs them.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddOptions<ToolOptions>().BindConfiguration("Tools");
        services.AddSingleton<ToolCancellation>();
        services.AddSingleton<AnalystTools>();
        services.AddSingleton<FlakyTools>();
        services.AddSingleton<AgentCatalog>();
        services.AddOptions<RunOptions>().BindConfiguration("Runs");
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunCoordinator>();
        return services;
    }
}
