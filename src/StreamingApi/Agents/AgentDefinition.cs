using Microsoft.SemanticKernel;

namespace StreamingApi.Agents;

/// <summary>What makes one agent different from another: its name, instructions, tools and structured result.</summary>
public sealed record AgentDefinition(string Name, string Instructions, Kernel Kernel)
{
    public OutputSpec? Output { get; init; }

    /// <summary>Whether a call to the tool of that name waits for a person's decision (null: none does).</summary>
    public Func<string, bool>? RequiresApproval { get; init; }

    public bool HasTools => Kernel.Plugins.Count > 0;
}
