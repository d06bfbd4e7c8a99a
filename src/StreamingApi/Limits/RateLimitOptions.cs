namespace StreamingApi.Limits;

/// <summary>How fast and how many runs a caller may start (section <c>RateLimits</c>); see docs/limits.md.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Runs a principal (or, without authentication, an address) may start a minute: a token bucket that holds this many.</summary>
    public int RunsPerMinute { get; set; } = 60;

    /// <summary>Runs a principal may have in progress at once, for their whole life (a background run, a stream's run in its detach grace).</summary>
    public int ConcurrentRuns { get; set; } = 10;

    /// <summary>Runs this instance executes at once, whoever started them.</summary>
    public int MaxActiveRuns { get; set; } = 10_000;
}
