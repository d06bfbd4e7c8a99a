namespace StreamingApi.Agents;

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
