namespace StreamingApi.Runs.Redis;

/// <summary>
/// Runs on Redis (with <c>Runs:Store</c> = <c>redis</c>; section <c>Redis</c>, the address in <c>ConnectionStrings:Redis</c>).
/// </summary>
public sealed class RedisOptions
{
    /// <summary>Every key and channel starts with this, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "streamingapi:";

    /// <summary>
    /// An instance renews a lease this long while it lives; a run whose instance's lease has expired is failed
    /// (<c>instance-lost</c>) by whichever instance notices first.
    /// </summary>
    public double LeaseSeconds { get; set; } = 10;

    /// <summary>A run's stream of events keeps about this many of the latest (Redis trims the oldest).</summary>
    public int MaxStreamLength { get; set; } = 8192;

    /// <summary>How often a reader on another instance looks for events even without being told of new ones.</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>
    /// While no reader on another instance follows a run, its events wait up to this long to be written to Redis, so
    /// that a run paced by its model writes several in one go: Redis's work is per write and run, whatever the events.
    /// A run followed elsewhere is written as soon as the writer can, as are a run's end, its hand-off when it waits
    /// for approvals, and 64 pending events. Until then another instance's <c>GET /runs/{id}</c> and snapshot show the
    /// run up to this much behind. 0: every run is written as soon as the writer can.
    /// </summary>
    public int WriteDelayMs { get; set; } = 250;
}
