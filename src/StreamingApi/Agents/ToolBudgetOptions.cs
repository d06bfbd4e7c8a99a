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
