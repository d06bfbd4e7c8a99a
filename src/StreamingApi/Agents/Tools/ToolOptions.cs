namespace StreamingApi.Agents.Tools;

/// <summary>How slow the demo tools are, like the real I/O they stand for (section <c>Tools</c>).</summary>
public sealed class ToolOptions
{
    public int SalesDelayMs { get; set; } = 1500;

    public int CustomerDelayMs { get; set; } = 1000;

    public int GrowthDelayMs { get; set; }

    public int InventoryDelayMs { get; set; } = 800;
}
