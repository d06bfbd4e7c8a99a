namespace StreamingApi.Agents;

/// <summary>A tool threw; the run stops and reports it.</summary>
public sealed class AgentToolException(string toolName, Exception inner)
    : Exception($"The tool '{toolName}' failed: {inner.Message}", inner)
{
    public string ToolName { get; } = toolName;
}

/// <summary>The model was still asking for tools when the run reached one of its limits (<see cref="ToolBudgetOptions"/>).</summary>
public sealed class AgentToolLimitException(string setting, int limit, string unit)
    : Exception($"The run reached its limit of {limit} {unit} ({setting}) while the model was still calling tools.")
{
    /// <summary>The setting that holds the limit, e.g. <c>Agent:MaxToolCalls</c>.</summary>
    public string Setting { get; } = setting;

    public int Limit { get; } = limit;

    /// <summary>What is counted: "tool calls" or "model turns".</summary>
    public string Unit { get; } = unit;
}

/// <summary>The model's structured result is not valid JSON for the schema or fails validation.</summary>
public sealed class AgentOutputException(IReadOnlyList<string> errors)
    : Exception("The structured result is invalid: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
