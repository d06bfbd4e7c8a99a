namespace StreamingApi.Agents;

/// <summary>Which tools wait for a person's decision before they run (section <c>Agent</c>).</summary>
public sealed class ApprovalOptions
{
    /// <summary>The tools that always need approval, whatever the configuration: they act on the world.</summary>
    public static readonly IReadOnlyList<string> AlwaysRequired = [Tools.AnalystTools.SendReport];

    /// <summary>More tools, by name (<c>fetch_sales_data</c>), that need approval before each call.</summary>
    public List<string> RequireApproval { get; set; } = [];

    /// <summary>Whether a call to the tool of that name waits for a decision.</summary>
    public bool Requires(string toolName) =>
        AlwaysRequired.Contains(toolName, StringComparer.Ordinal) || RequireApproval.Contains(toolName, StringComparer.Ordinal);
}
