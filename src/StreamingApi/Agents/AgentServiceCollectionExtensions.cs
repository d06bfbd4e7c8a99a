using StreamingApi.Agents.Tools;
using StreamingApi.Runs;

namespace StreamingApi.Agents;

public static class AgentServiceCollectionExtensions
{
    /// <summary>The agents, their tools and the machinery that runs them.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddOptions<ToolOptions>().BindConfiguration("Tools");
        services.AddOptions<ToolBudgetOptions>().BindConfiguration("Agent")
            .Validate(o => o.MaxToolCalls >= 1, $"{ToolBudgetOptions.MaxToolCallsSetting} must be at least 1.")
            .Validate(o => o.MaxModelTurns >= 2, $"{ToolBudgetOptions.MaxModelTurnsSetting} must be at least 2: one turn to call a tool, one to read its result.")
            .ValidateOnStart();
        services.AddSingleton<AnalystTools>();
        services.AddSingleton<AgentCatalog>();
        services.AddOptions<RunOptions>().BindConfiguration("Runs");
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunCoordinator>();
        return services;
    }
}
