using Microsoft.SemanticKernel;

namespace StreamingApi.Agents;

/// <summary>A structured result the agent must end with, and how to ask the model for it.</summary>
public sealed record OutputSpec(Type Type, string Instruction, Func<string, object> Parse);
