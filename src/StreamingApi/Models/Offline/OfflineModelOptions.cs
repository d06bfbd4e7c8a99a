namespace StreamingApi.Models.Offline;

/// <summary>The embedded offline model's pace (section <c>OfflineModel</c>). 0 means as fast as possible.</summary>
public sealed class OfflineModelOptions
{
    public const string DefaultModelId = "offline-writer-1";

    public double TokensPerSecond { get; set; } = 40;

    public int FirstTokenDelayMs { get; set; } = 300;

    /// <summary>Makes an answer exactly this many text deltas long (0: the natural length). Used by the benchmarks.</summary>
    public int FixedDeltaCount { get; set; }
}
