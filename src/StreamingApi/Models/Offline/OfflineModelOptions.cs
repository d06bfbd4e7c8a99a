namespace StreamingApi.Models.Offline;

/// <summary>The embedded offline model's pace and habits (section <c>OfflineModel</c>). A pace of 0 means as fast as possible.</summary>
public sealed class OfflineModelOptions
{
    public const string DefaultModelId = "offline-writer-1";

    public double TokensPerSecond { get; set; } = 40;

    public int FirstTokenDelayMs { get; set; } = 300;

    /// <summary>
    /// The model thinks briefly, at the same pace, before it answers or calls tools: its reasoning streams as
    /// <c>reasoning</c> events, as a thinking model's would.
    /// </summary>
    public bool Reasoning { get; set; } = true;

    /// <summary>Makes an answer exactly this many text deltas long (0: the natural length). Used by the benchmarks.</summary>
    public int FixedDeltaCount { get; set; }
}
