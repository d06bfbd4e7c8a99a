using Microsoft.SemanticKernel;

namespace StreamingApi.Agents;

/// <summary>What makes one agent different from another: its name, instructions, tools and structured result.</summary>
public sealed record AgentDefinition(string Name, string Instructions, Kernel Kernel)
{
    public OutputSpec? Output { get; init; }

    public bool HasTools => Kernel.Plugins.Count > 0;
}
