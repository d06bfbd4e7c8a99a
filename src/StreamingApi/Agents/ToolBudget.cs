namespace StreamingApi.Agents;

/// <summary>
/// How far one run may go with tools (section <c>Agent</c>). A model that keeps asking for tools (a confused model, or
/// a tool result it never sees) would otherwise loop until Semantic Kernel's own iteration limit, and the run would
/// end as if it had succeeded.
/// </summary>
public sealed class ToolBudgetOptions
{
    public const string MaxToolCallsSetting = "Agent:MaxToolCalls";
    public const string MaxModelTurnsSetting = "Agent:MaxModelTurns";

    /// <summary>Tool calls one run may make.</summary>
    public int MaxToolCalls { get; set; } = 20;

    /// <summary>Calls to the model one run may make while it uses tools (the structured result's last turn is not counted).</summary>
    public int MaxModelTurns { get; set; } = 8;
}

/// <summary>
/// One run's share of <see cref="ToolBudgetOptions"/>. Tools asked for in the same turn run side by side, so the count
/// is taken atomically.
/// </summary>
internal sealed class ToolBudget(ToolBudgetOptions limits)
{
    private int _calls;

    /// <summary>
    /// Takes one tool call asked for in model turn <paramref name="modelTurn"/> (counted from 0). Returns null when
    /// the call may run, or why the run must end: the call would be one too many, or the model asked for it in its
    /// last allowed turn, so no turn would be left to read its result.
    /// </summary>
    public AgentToolLimitException? Take(int modelTurn)
    {
        if (modelTurn + 1 >= limits.MaxModelTurns)
            return new AgentToolLimitException(ToolBudgetOptions.MaxModelTurnsSetting, limits.MaxModelTurns, "model turns");
        if (Interlocked.Increment(ref _calls) > limits.MaxToolCalls)
            return new AgentToolLimitException(ToolBudgetOptions.MaxToolCallsSetting, limits.MaxToolCalls, "tool calls");
        return null;
    }
}
