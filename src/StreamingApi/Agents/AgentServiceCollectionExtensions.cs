using StreamingApi.Agents.Tools;

namespace StreamingApi.Agents;

public static class AgentServiceCollectionExtensions
{
    /// <summary>The agents and their tools.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddOptions<ToolOptions>().BindConfiguration("Tools");
        services.AddOptions<ToolBudgetOptions>().BindConfiguration("Agent")
            .Validate(o => o.MaxToolCalls >= 1, $"{ToolBudgetOptions.MaxToolCallsSetting} must be at least 1.")
            .Validate(o => o.MaxModelTurns >= 2, $"{ToolBudgetOptions.MaxModelTurnsSetting} must be at least 2: one turn to call a tool, one to read its result.")
            .ValidateOnStart();
        services.AddOptions<ApprovalOptions>().BindConfiguration("Agent");
        services.AddSingleton<SentReports>();
        services.AddSingleton<AnalystTools>();
        services.AddSingleton<AgentCatalog>();
        return services;
    }
}
