using Microsoft.SemanticKernel;

namespace StreamingApi.Agents;

/// <summary>A structured result the agent must end with, and how to ask the model for it.</summary>
public sealed record OutputSpec(Type Type, string Instruction, Func<string, object> Parse);

/// <summary>What makes one agent different from another: its name, instructions, tools and structured result.</summary>
public sealed record AgentDefinition(string Name, string Instructions, Kernel Kernel)
{
    public OutputSpec? Output { get; init; }

    public bool HasTools => Kernel.Plugins.Count > 0;
}
